import type * as tf from '@tensorflow/tfjs-core';
import type { Rng } from './random.js';

/** A cell's recurrent state: named tensors, each `[batch, units]` (e.g. `{ h, c }`). */
export type Carry = Readonly<Record<string, tf.Tensor2D>>;

/** A cell's weights: a plain record of tensors (or `tf.Variable`s when training). */
export type Params = Readonly<Record<string, tf.Tensor>>;

/**
 * A recurrent cell is one pure time step (see DESIGN.md, "The three ideas"):
 * `step(params, carry, x) → { carry, y }`. No loop inside, no mutable fields: one driver
 * (`scan`) runs any cell over time.
 *
 * Weight layout follows tfjs-layers / Keras so weights move between the libraries:
 * `kernel [inputSize, G·units]`, `recurrentKernel [units, G·units]`, `bias [G·units]`,
 * gates concatenated in Keras order (LSTM i, f, c, o; GRU z, r, h).
 */
export interface Cell<C extends Carry = Carry, P extends Params = Params, Config = unknown> {
  /** Cell family, e.g. `'lstm'`, `'gru'`, `'elman'`. */
  readonly kind: string;
  /** The full config with every default filled in. */
  readonly config: Readonly<Config>;
  /** Feature size of each input step `x` (`[batch, inputSize]`). */
  readonly inputSize: number;
  /** Feature size of each output step `y` (`[batch, outputSize]`). */
  readonly outputSize: number;
  /**
   * Set when this cell, with this config, computes exactly what one of core's
   * whole-sequence kernels computes (see `kernels/names.ts`). `scan` then runs the
   * kernel (fused on backends that register one, the reference otherwise) instead of
   * stepping. Its params are then exactly `{ kernel, recurrentKernel, bias }`.
   */
  readonly sequenceKernel?: SequenceKernelSpec;
  /** Fresh weights. The caller owns them. */
  init(rng: Rng): P;
  /** Zero state for `batch` sequences. The caller owns it. */
  initCarry(batch: number): C;
  /**
   * One time step. `x` is `[batch, inputSize]`. Returns new tensors (the caller owns
   * them); inputs are neither kept nor disposed.
   */
  step(params: P, carry: C, x: tf.Tensor2D): { carry: C; y: tf.Tensor2D };
}

/** Names of core's whole-sequence kernels. */
export type SequenceKernelName = 'RecurLstmSequence' | 'RecurGruSequence' | 'RecurElmanSequence';

export interface SequenceKernelSpec {
  readonly name: SequenceKernelName;
  /** Kernel attributes: activation names, `resetAfter` for GRU, units. */
  readonly attrs: Readonly<Record<string, string | number | boolean>>;
}
