import type { Rng } from '@recur/core';
import type * as tf from '@tensorflow/tfjs-core';

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

/** What a model's `loss` returns for one batch. */
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
 * it; `@recur/layers` models do through their own adapter.
 */
export interface TrainableModel<Batch, State = unknown> {
  /** Trainable weights by stable name: the checkpoint keys. */
  readonly variables: Readonly<Record<string, tf.Variable>>;
  /** Loss on one batch, computed with tfjs ops only (it runs under a gradient tape). */
  loss(batch: Batch, context: StepContext<State>): LossResult<State>;
}

/** A batch of sequences, batch-major; what truncated BPTT knows how to cut along time. */
export interface SequenceBatch {
  /** `[batch, time, ...]` */
  readonly inputs: tf.Tensor;
  /** `[batch, time, ...]` for many-to-many, or `[batch, ...]` for many-to-one. */
  readonly targets: tf.Tensor;
  /** `[batch, time]`, 1 for real steps. */
  readonly mask?: tf.Tensor2D;
}
