import type * as tf from '@tensorflow/tfjs-core';
import type { Carry } from '../cell.js';

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
   * What padded steps emit: `'zeros'` (default, as Keras Bidirectional /
   * `zero_output_for_mask`) or `'previous'`: the output of the last real step processed,
   * zeros before the first (as Keras' plain RNN). Either way padded steps keep the state.
   */
  maskedOutput?: 'zeros' | 'previous';
  /** State before the first processed step (default `cell.initCarry(batch)`: zeros). Not disposed. */
  initialCarry?: C;
  /** Return the output of every step (default true) or only the last real one. */
  returnSequences?: boolean;
  /** Return the final carry (default true). */
  returnCarry?: boolean;
}

/** What {@link scan} returns. The caller owns every tensor in it. */
export interface ScanResult<C extends Carry> {
  /**
   * `[batch, time, outputSize]` when `returnSequences`, else `[batch, outputSize]`: the
   * output of the last real step processed in each row (zeros for a row with none).
   */
  outputs: tf.Tensor;
  /** Final carry: the state after the last real step of each row. Absent when `returnCarry` is false. */
  carry?: C;
}
