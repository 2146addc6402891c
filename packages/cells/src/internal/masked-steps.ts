import { linearScan, runKernel, type SequenceOptions } from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * `Cell.sequence`'s rules for padded steps, for a parallel form that computed an output
 * at every step (`ys`, input time order) with padded steps leaving the state as it was,
 * but whose output there is not the last real one (mLSTM reads its memory with the
 * padded step's own query). Returns the outputs under `options.maskedOutput` and each
 * row's last real output in processing order (`h0`'s row where the row has none).
 *
 * "The last real output" is the linear scan h_t = 0·h_{t−1} + y_t whose padded steps
 * keep the state: core's `linearScan` with its mask, differentiable on every backend.
 */
export function maskedSteps(
  ys: tf.Tensor3D,
  h0: tf.Tensor2D,
  options: SequenceOptions,
): { ys: tf.Tensor3D; last: tf.Tensor2D } {
  const { mask, reverse, maskedOutput } = options;
  return tf.tidy(() => {
    const [batch, time, width] = ys.shape;
    if (mask === undefined) {
      const lastStep = reverse ? 0 : time - 1;
      return { ys: tf.clone(ys), last: tf.reshape(tf.slice(ys, [0, lastStep, 0], [batch, 1, width]), [batch, width]) };
    }
    const a = tf.zerosLike(ys);
    const last = runKernel(linearScan, { a, b: ys, h0, mask }, { reverse }).hT as tf.Tensor2D;
    const out =
      maskedOutput === 'previous'
        ? runKernel(linearScan, { a, b: ys, mask }, { reverse }).hs
        : tf.mul(ys, tf.expandDims(mask, 2));
    return { ys: out as tf.Tensor3D, last };
  });
}
