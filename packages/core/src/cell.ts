import type * as tf from '@tensorflow/tfjs-core';
import type { MaskedOutput } from './kernels/sequence-attrs.js';
import type { Rng } from './random.js';

/**
 * A cell's recurrent state: named tensors, each with the batch on axis 0 and any rank
 * (`{ h, c }` of `[batch, units]` for LSTM; a matrix memory `[batch, heads, dk, dv]` for
 * mLSTM). Masks, layers, beam search and checkpoints handle every entry by its shape.
 */
export type Carry = Readonly<Record<string, tf.Tensor>>;

/** A cell's weights: a plain record of tensors (or `tf.Variable`s when training). */
export type Params = Readonly<Record<string, tf.Tensor>>;

/** How {@link Cell.sequence} is asked to run: the rules `scan` hands every sequence form. */
export interface SequenceOptions {
  /** `[batch, time]` float32, 1 at real steps, 0 at padding; absent when no step is padded. */
  readonly mask?: tf.Tensor2D;
  /** Process from the last step to the first. */
  readonly reverse: boolean;
  /**
   * What a padded step emits in `ys`: zeros, or the output of the last real step
   * processed (zeros before the first; `scan` adds the initial state's output there).
   */
  readonly maskedOutput: MaskedOutput;
}

/** What {@link Cell.sequence} returns. The caller owns both. */
export interface SequenceResult<C extends Carry> {
  /** `[batch, time, outputSize]` in input time order, whatever `reverse` is. */
  readonly ys: tf.Tensor3D;
  /** The state after each row's last real step (`carry0` for a row with none). */
  readonly carry: C;
}

/**
 * A recurrent cell is one pure time step:
 * `step(params, carry, x) → { carry, y }`, with no loop inside and no mutable fields; one
 * driver (`scan`) runs any cell over time. A cell that runs faster as a whole (a fused
 * kernel, a parallel scan) adds `sequence`, which must compute what stepping computes.
 *
 * Recur's own cells lay weights out as tfjs-layers / Keras do, so weights move between
 * the libraries: `kernel [inputSize, G·units]`, `recurrentKernel [units, G·units]`,
 * `bias [G·units]`, gates concatenated in Keras order (LSTM i, f, c, o; GRU z, r, h).
 * Nothing in the drivers depends on that layout.
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
   * The carry entry every step returns as its output (`y` equals `carry[outputState]`,
   * `[batch, outputSize]`), if one does: `h` of LSTM, GRU and Elman. `scan` then returns
   * the last output without `returnSequences` from the final state, which is that output
   * (padded steps keep the state, as `'previous'` keeps the output), instead of slicing
   * it out of `ys`: two tfjs ops and their gradients fewer per run. A wrapper whose `step`
   * returns another output (`{ ...cell, step }`) must leave it out.
   */
  readonly outputState?: keyof C & string;
  /** Fresh weights. The caller owns them. */
  init(rng: Rng): P;
  /** Zero state for `batch` sequences: every entry has `batch` on axis 0. The caller owns it. */
  initCarry(batch: number): C;
  /**
   * Throws `RecurError` naming the param when `params` do not fit this cell's config.
   * Drivers call it once per run, so `step` need not check params again at every step.
   */
  checkParams?(params: P): void;
  /**
   * One time step. `x` is `[batch, inputSize]`. Returns new tensors (the caller owns
   * them); inputs are neither kept nor disposed.
   */
  step(params: P, carry: C, x: tf.Tensor2D): { carry: C; y: tf.Tensor2D };
  /**
   * Optional whole-sequence form: the same function as stepping over `xs`
   * (`[batch, time, inputSize]`) from `carry0`, with padded steps keeping the state.
   * `scan` calls it, after validating every argument (params through `checkParams`),
   * instead of its stepped loop. Returns new tensors; inputs are neither kept nor disposed.
   */
  sequence?(params: P, xs: tf.Tensor3D, carry0: C, options: SequenceOptions): SequenceResult<C>;
}
