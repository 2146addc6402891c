/**
 * The value at each row's last real step, over a whole sequence: RWKV's token shift
 * (x_{t−1} is the previous real input, skipping padding) and a `'previous'` masked output
 * both need it. It is the linear recurrence h_t = (1 − m_t) h_{t−1} + m_t x_t, so it runs
 * through core's `linearScan` kernel (fused on cpu and wasm) with its gradient.
 */
import { linearScan, runKernel } from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';
import { shiftInTime, stepAt } from './time-shift.js';

/** `[B, T, C]` with time reversed when `reverse`: processing order. */
function inOrder(x: tf.Tensor3D, reverse: boolean): tf.Tensor3D {
  return reverse ? tf.reverse(x, 1) : x;
}

/**
 * `held [B, T, C]`: the value of `xs` at the last real step processed up to and including
 * each step (`initial` before the first); `last [B, C]`: after every step. By input time.
 */
export function lastReal(xs: tf.Tensor3D, initial: tf.Tensor2D, mask: tf.Tensor2D | undefined, reverse: boolean) {
  return tf.tidy(() => {
    if (mask === undefined) {
      const time = xs.shape[1];
      const last = tf.squeeze(tf.slice(xs, [0, reverse ? 0 : time - 1, 0], [-1, 1, -1]), [1]) as tf.Tensor2D;
      return { held: tf.clone(xs), last };
    }
    const m = tf.expandDims(mask, 2);
    const { hs, hT } = runKernel(
      linearScan,
      { a: tf.mul(tf.sub(1, m), tf.onesLike(xs)), b: tf.mul(m, xs), h0: initial },
      { reverse },
    );
    return { held: hs as tf.Tensor3D, last: hT as tf.Tensor2D };
  });
}

/**
 * Token shift (Peng et al. 2023, eqs. 11–15): at each step the input of the previous real step
 * processed, `previous` at the first. Returns the shifted sequence by input time and the
 * last real input, the carry of the next call.
 */
export function tokenShift(xs: tf.Tensor3D, previous: tf.Tensor2D, mask: tf.Tensor2D | undefined, reverse: boolean) {
  return tf.tidy(() => {
    if (mask === undefined) {
      return { shifted: shiftInTime(xs, previous, reverse), last: stepAt(xs, reverse ? 0 : xs.shape[1] - 1) };
    }
    const { held, last } = lastReal(xs, previous, mask, reverse);
    const ordered = inOrder(held, reverse);
    const time = xs.shape[1];
    const before = tf.concat([tf.expandDims(previous, 1), tf.slice(ordered, [0, 0, 0], [-1, time - 1, -1])], 1);
    return { shifted: inOrder(before as tf.Tensor3D, reverse), last };
  });
}

/**
 * `ys` with each padded step's output replaced as `maskedOutput` asks (zeros, or the last real
 * output); `ys` itself without a mask (a clone would copy it on wasm, and again its gradient).
 */
export function applyMaskedOutput(
  ys: tf.Tensor3D,
  mask: tf.Tensor2D | undefined,
  reverse: boolean,
  maskedOutput: 'zeros' | 'previous',
): tf.Tensor3D {
  if (mask === undefined) return ys;
  return tf.tidy(() => {
    if (maskedOutput === 'zeros') {
      const real = tf.cast(tf.expandDims(mask, 2), 'bool');
      return tf.where(real, ys, tf.zerosLike(ys)) as tf.Tensor3D;
    }
    const [batch, , width] = ys.shape;
    return lastReal(ys, tf.zeros([batch, width]), mask, reverse).held;
  });
}
