import type * as tf from '@tensorflow/tfjs-core';
import type { Rng } from './random.js';

/** What one call of a model's loss sees besides the batch. */
export interface StepContext<State> {
  /** True during training steps (dropout on), false in validation. */
  readonly training: boolean;
  /** Randomness for this step only (dropout masks); derived from the run's seed and the step. */
  readonly rng: Rng;
  /**
   * Truncated BPTT: the state left by the previous chunk of the same sequences, or
   * undefined at the start. It arrives as plain tensors, outside the gradient tape, so
   * gradients stop at the chunk boundary.
   */
  readonly state: State | undefined;
}

/** What a `TrainableModel`'s `loss` returns for one batch: the scalar to minimise, optional metrics, and the state for the next truncated-BPTT chunk. */
export interface LossResult<State> {
  /** Scalar loss to minimise. */
  readonly loss: tf.Scalar;
  /** State to hand to the next chunk (truncated BPTT). */
  readonly state?: State;
  /** Extra scalars to report (accuracy...), averaged over batches in validation. */
  readonly metrics?: Readonly<Record<string, tf.Scalar>>;
}

/**
 * The contract `fit` trains: named variables and a loss. Any recurrent model can offer
 * it (`@recur/layers`' `seq2seqTrainable`, an app's own wrapper around
 * layers); `fit` in `@recur/train` trains any of them. It lives in core so that models
 * and trainers agree on it without depending on each other.
 */
export interface TrainableModel<Batch, State = unknown> {
  /** Trainable weights by stable name: the checkpoint keys. */
  readonly variables: Readonly<Record<string, tf.Variable>>;
  /** Loss on one batch, computed with tfjs ops only (it runs under a gradient tape). */
  loss(batch: Batch, context: StepContext<State>): LossResult<State>;
}
