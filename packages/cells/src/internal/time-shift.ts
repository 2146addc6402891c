/**
 * The unmasked token shift (Peng et al. 2023, eqs. 11–15) and one step of a sequence, as ops
 * whose gradients keep nothing alive: they only move data. tfjs' `slice` and `concat` keep
 * their inputs until the backward pass ends (copies, on wasm) to read shapes, and `clone`
 * copies on wasm both ways.
 */
import * as tf from '@tensorflow/tfjs-core';

/** `[B, n, C]` of zeros beside a `[B, ·, C]` tensor. */
function zerosSteps(like: tf.Tensor, n: number): tf.Tensor {
  const [batch, , width] = like.shape as [number, number, number];
  return tf.zeros([batch, n, width]);
}

/**
 * By input time: `previous` then `xs` up to its last step (reversed processing: `xs` from its
 * second step, then `previous`). `xs [B, T, C]`, `previous [B, C]`. The caller owns the result.
 */
export function shiftInTime(xs: tf.Tensor3D, previous: tf.Tensor2D, reverse: boolean): tf.Tensor3D {
  const time = xs.shape[1];
  const op = tf.customGrad((x, p) => {
    const before = tf.expandDims(p as tf.Tensor, 1);
    const value = reverse
      ? tf.concat([tf.slice(x as tf.Tensor, [0, 1, 0], [-1, time - 1, -1]), before], 1)
      : tf.concat([before, tf.slice(x as tf.Tensor, [0, 0, 0], [-1, time - 1, -1])], 1);
    return {
      value,
      gradFunc: (dy: tf.Tensor) =>
        tf.tidy(() => {
          const edge = reverse ? time - 1 : 0;
          const moved = tf.slice(dy, [0, reverse ? 0 : 1, 0], [-1, time - 1, -1]);
          const zero = zerosSteps(dy, 1);
          const dx = tf.concat(reverse ? [zero, moved] : [moved, zero], 1);
          return [dx, tf.squeeze(tf.slice(dy, [0, edge, 0], [-1, 1, -1]), [1])];
        }),
    };
  });
  return op(xs, previous) as tf.Tensor3D;
}

/** `xs[:, step, :]` (`[B, C]`) of `xs [B, T, C]`. The caller owns the result. */
export function stepAt(xs: tf.Tensor3D, step: number): tf.Tensor2D {
  const time = xs.shape[1];
  const op = tf.customGrad((x) => ({
    value: tf.squeeze(tf.slice(x as tf.Tensor, [0, step, 0], [-1, 1, -1]), [1]),
    gradFunc: (dy: tf.Tensor) =>
      tf.tidy(() => tf.concat([zerosSteps(xs, step), tf.expandDims(dy, 1), zerosSteps(xs, time - 1 - step)], 1)),
  }));
  return op(xs) as tf.Tensor2D;
}
