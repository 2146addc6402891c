/**
 * Pieces shared by the reference sequence kernels. Everything here is called inside a
 * kernel's `tf.tidy`; results are owned by that scope.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { MaskedOutput } from './sequence-attrs.js';

/** Input time of each processing step: 0…T−1, or T−1…0 when `reverse`. */
export function stepOrder(time: number, reverse: boolean): number[] {
  const order = Array.from({ length: time }, (_, s) => s);
  return reverse ? order.reverse() : order;
}

/** `x [B,T,I]` → `[T·B, I]`, time-major, so row `t·B + b` is step t of sequence b. */
export function flattenTimeMajor(x: tf.Tensor3D): tf.Tensor2D {
  const [batch, time, features] = x.shape;
  return tf.reshape(tf.transpose(x, [1, 0, 2]), [time * batch, features]);
}

/**
 * The input projection of every step as ONE product `[T·B, I] × [I, G·H]` (plus bias),
 * time-major `[T, B, G·H]`: the part of the work that does not depend on the recurrence.
 */
export function projectInputs(x: tf.Tensor3D, kernel: tf.Tensor2D, bias: tf.Tensor1D | undefined): tf.Tensor3D {
  const [batch, time] = x.shape;
  const product = tf.matMul(flattenTimeMajor(x), kernel);
  const projected = bias === undefined ? product : tf.add(product, bias);
  return tf.reshape(projected, [time, batch, kernel.shape[1]]);
}

/**
 * Step t of a time-major `[T, B, n]` tensor, sliced inside each step's tidy rather than
 * unstacked up front, so no second copy of the whole sequence stays alive. (A slice is a
 * view on cpu; tfjs-wasm copies the whole input on every Slice or Unpack call, and its
 * Gather measured no faster.)
 */
export function at(x: tf.Tensor3D, t: number): tf.Tensor2D {
  const [, batch, width] = x.shape;
  return tf.reshape(tf.slice(x, [t, 0, 0], [1, batch, width]), [batch, width]);
}

/** Per-step views of `mask [B,T]`: `real` (bool), `weight` (1 real, 0 padded) and `keep` (1 − weight), each `[B,1]`. */
export interface StepMasks {
  readonly real: tf.Tensor2D[];
  readonly weight: tf.Tensor2D[];
  readonly keep: tf.Tensor2D[];
}

export function stepMasks(mask: tf.Tensor2D): StepMasks {
  const real = tf.notEqual(tf.expandDims(tf.transpose(mask), 2), 0);
  const weight = tf.cast(real, 'float32');
  return {
    real: tf.unstack(real) as tf.Tensor2D[],
    weight: tf.unstack(weight) as tf.Tensor2D[],
    keep: tf.unstack(tf.sub(1, weight)) as tf.Tensor2D[],
  };
}

/**
 * `[T,B,1]`: which states are emitted as outputs. `'zeros'`: the real steps. `'previous'`:
 * every step at or after the first real one in processing order, because a padded step
 * keeps the state, so the state there is the last real output.
 */
export function outputMask(mask: tf.Tensor2D, maskedOutput: MaskedOutput, reverse: boolean): tf.Tensor3D {
  const real = tf.cast(tf.notEqual(tf.transpose(mask), 0), 'float32');
  const emitted =
    maskedOutput === 'zeros' ? real : tf.cast(tf.greater(tf.cumsum(real, 0, false, reverse), 0), 'float32');
  return tf.expandDims(emitted, 2) as tf.Tensor3D;
}

/** `ys [B,T,H]` from the states `hs [T,B,H]` and the output mask. */
export function emitOutputs(hs: tf.Tensor3D, emitted: tf.Tensor3D | undefined): tf.Tensor3D {
  return tf.transpose(emitted === undefined ? hs : tf.mul(hs, emitted), [1, 0, 2]) as tf.Tensor3D;
}

/** Gradient reaching each state `h_t` from the outputs `dys [B,T,H]`, time-major `[T,B,H]`. */
export function outputGradients(dys: tf.Tensor3D, emitted: tf.Tensor3D | undefined): tf.Tensor3D {
  const timeMajor = tf.transpose(dys, [1, 0, 2]) as tf.Tensor3D;
  return emitted === undefined ? timeMajor : (tf.mul(timeMajor, emitted) as tf.Tensor3D);
}

/** The state each step started from, by input time: `[h0, hs…]` shifted along the processing direction. */
export function previousStates(hs: tf.Tensor3D, initial: tf.Tensor2D, reverse: boolean): tf.Tensor3D {
  const [time, batch, units] = hs.shape;
  const first = tf.expandDims(initial, 0) as tf.Tensor3D;
  if (time === 1) return first;
  return reverse
    ? tf.concat([tf.slice(hs, [1, 0, 0], [time - 1, batch, units]), first], 0)
    : tf.concat([first, tf.slice(hs, [0, 0, 0], [time - 1, batch, units])], 0);
}

/** Per-step `[B, n]` gradients (indexed by input time) as one `[T·B, n]` matrix. */
export function stackSteps(steps: readonly tf.Tensor2D[]): tf.Tensor2D {
  const [batch, width] = (steps[0] as tf.Tensor2D).shape;
  return tf.reshape(tf.stack(steps as tf.Tensor2D[]), [steps.length * batch, width]);
}

/**
 * `[T,B,n]` → `[n, T·B]`: the left factor of a weight gradient Σ_t aₜᵀ·dZₜ, transposed
 * by a copy because a transposed product runs several times slower on wasm (DESIGN.md,
 * "Performance plan").
 */
export function stepsTransposed(x: tf.Tensor3D): tf.Tensor2D {
  const [time, batch, width] = x.shape;
  return tf.reshape(tf.transpose(x, [2, 0, 1]), [width, time * batch]);
}

/**
 * Gradients of the input projection from `dZ [T·B, G·H]` (the pre-activation gradients of
 * every step): dX = dZ·Wᵀ, dW = Xᵀ·dZ, db = Σ dZ, each one large product, with the
 * transposed operands copied first (see `stepsTransposed`).
 */
export function projectionGradients(
  x: tf.Tensor3D,
  kernel: tf.Tensor2D,
  dZ: tf.Tensor2D,
): { dx: tf.Tensor3D; dKernel: tf.Tensor2D; dBias: tf.Tensor1D } {
  const [batch, time, features] = x.shape;
  const dxTimeMajor = tf.reshape(tf.matMul(dZ, tf.transpose(kernel)), [time, batch, features]);
  // Xᵀ as [I, T·B] straight from [B, T, I], with columns in dZ's row order t·B + b.
  const xTransposed = tf.reshape(tf.transpose(x, [2, 1, 0]), [features, time * batch]);
  return {
    dx: tf.transpose(dxTimeMajor, [1, 0, 2]) as tf.Tensor3D,
    dKernel: tf.matMul(xTransposed, dZ) as tf.Tensor2D,
    dBias: tf.sum(dZ, 0),
  };
}
