import type * as tf from '@tensorflow/tfjs-core';
import type { Carry } from '../cell.js';
import type { MaskedOutput } from '../kernels/sequence-attrs.js';

/** Every value `maskedOutput` takes, in `scan` and in the layers built on it. */
export const MASKED_OUTPUTS: readonly MaskedOutput[] = ['zeros', 'previous'];

/**
 * What padded steps emit when the caller does not say: the last real output, as a plain
 * Keras / tfjs-layers RNN does. The one place this default is stated: `scan` and
 * `recurrent` both read it. (Keras' `Bidirectional` overrides it with zeros.)
 */
export const DEFAULT_MASKED_OUTPUT: MaskedOutput = 'previous';

/** Options of {@link scan}. Every field is optional. */
export interface ScanOptions<C extends Carry> {
  /** Process from the last step to the first (default false), as tfjs-layers `goBackwards`. */
  reverse?: boolean;
  /**
   * With `reverse`: return outputs in input time order, `outputs[:, t]` being the output
   * at input step t. Default false: processing order, as tfjs-layers `goBackwards`
   * (`outputs[:, 0]` is the output at the last input step).
   */
  keepOrder?: boolean;
  /**
   * `[batch, time]`; nonzero (or true) = real step, 0 = padding. Bool, float32 or int32.
   * Steps may be padded anywhere, not only at the end.
   */
  mask?: tf.Tensor2D;
  /** Alternative to `mask`: steps `[0, len)` of each row are real. One integer in `[0, time]` per row. */
  seqLengths?: readonly number[];
  /**
   * What padded steps emit (default {@link DEFAULT_MASKED_OUTPUT}): `'previous'`, the
   * output of the last real step processed, and before the first the initial state's
   * output (its first `[batch, outputSize]` entry, as tfjs-layers' `states[0]`; zeros
   * without an initial state or such an entry); or `'zeros'` (Keras
   * `zero_output_for_mask`, as in `Bidirectional`). Either way padded steps keep the state.
   */
  maskedOutput?: MaskedOutput;
  /**
   * State before the first processed step (default `cell.initCarry(batch)`: zeros). Each
   * entry must have the shape of `cell.initCarry(1)`'s with `batch` on axis 0. Not disposed.
   */
  initialState?: C;
  /** Return the output of every step (default true) or only the last one processed. */
  returnSequences?: boolean;
  /** Return the final state as `state` (default true). */
  returnState?: boolean;
}

/** What {@link scan} returns. The caller owns every tensor in it. */
export interface ScanResult<C extends Carry> {
  /**
   * `[batch, time, outputSize]` when `returnSequences`, else `[batch, outputSize]`: the
   * output of the last step processed, which at a padded step follows `maskedOutput`
   * (so, with `'zeros'`, the last real output; zeros for a row with none).
   */
  outputs: tf.Tensor;
  /** Final state: the state after the last real step of each row. Absent when `returnState` is false. */
  state?: C;
}
