/**
 * One step of RWKV-4's stabilised WKV recurrence in tfjs ops (the equations are in
 * wkv-sequence.ts), shared by the reference forward and gradient of `RecurWkvSequence`
 * and by the RWKV cell's step.
 */
import * as tf from '@tensorflow/tfjs-core';
import { stepsInOrder } from './prefix-scan.js';
import type { RecurWkvSequenceInputs } from './wkv-sequence.js';

/** The `max` of an empty state: e^{max} is 0 in float32, and max − w stays finite. */
export const WKV_EMPTY_MAX = -1e38;

/** One step's state, `[B, C]` each: N = num·e^max, D = den·e^max. */
export interface WkvState {
  readonly num: tf.Tensor;
  readonly den: tf.Tensor;
  readonly max: tf.Tensor;
}

/**
 * What one step computes from the state before it: the output, the new state, and the
 * exponentials and branch the gradient reuses (e1 = e^{max−q}, e2 = e^{u+k−q},
 * f1 = e^{max−w−q′}, f2 = e^{k−q′}; `decayBranch` where max′ = max − w).
 */
export function wkvStep(state: WkvState, k: tf.Tensor, v: tf.Tensor, w: tf.Tensor, u: tf.Tensor) {
  const uk = tf.add(u, k);
  const q = tf.maximum(state.max, uk);
  const e1 = tf.exp(tf.sub(state.max, q));
  const e2 = tf.exp(tf.sub(uk, q));
  const den = tf.add(tf.mul(e1, state.den), e2);
  const wkv = tf.div(tf.add(tf.mul(e1, state.num), tf.mul(e2, v)), den);
  const decayed = tf.sub(state.max, w);
  const max = tf.maximum(decayed, k);
  const f1 = tf.exp(tf.sub(decayed, max));
  const f2 = tf.exp(tf.sub(k, max));
  const next = { num: tf.add(tf.mul(f1, state.num), tf.mul(f2, v)), den: tf.add(tf.mul(f1, state.den), f2), max };
  return { wkv, next, e1, e2, den, f1, f2, decayBranch: tf.greaterEqual(decayed, k) };
}

/** Step s of `[B, T, C]` (already in processing order) as `[B, C]`. */
export function stepOf(x: tf.Tensor3D, s: number): tf.Tensor2D {
  return tf.squeeze(tf.slice(x, [0, s, 0], [-1, 1, -1]), [1]) as tf.Tensor2D;
}

/** Whether step s of a processing-order mask `[B, T]` is real, as `[B, 1]` booleans. */
export function realAt(mask: tf.Tensor, s: number): tf.Tensor {
  return tf.cast(tf.reshape(tf.slice(mask, [0, s], [-1, 1]), [-1, 1]), 'bool');
}

/** `[B, C]` steps in processing order stacked on axis 1 and put back in input time. */
export function stackInInputTime(steps: tf.Tensor[], reverse: boolean): tf.Tensor3D {
  return stepsInOrder(tf.stack(steps, 1), reverse);
}

/** The inputs with the empty state and an all-real mask where absent. The caller owns the fills. */
export function completeWkv<In extends RecurWkvSequenceInputs>(inputs: In): In & Required<RecurWkvSequenceInputs> {
  const [batch, time, channels] = inputs.k.shape;
  return {
    ...inputs,
    num0: inputs.num0 ?? tf.zeros([batch, channels]),
    den0: inputs.den0 ?? tf.zeros([batch, channels]),
    max0: inputs.max0 ?? tf.fill([batch, channels], WKV_EMPTY_MAX),
    mask: inputs.mask ?? tf.ones([batch, time]),
  };
}
