/**
 * RWKV's sequence form as it was built before its composites had their own gradients: plain
 * tfjs ops, differentiated by tfjs' autodiff. The oracle that the composites (layer norm,
 * token mix, the receptance gates, the residual adds and reshapes, the token shift) must
 * match: forward bit for bit, gradients within float rounding.
 */
import type { RwkvCarry, RwkvParams } from '@recur/cells';
import { runKernel, type SequenceOptions, wkvSequence } from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';
import { lastReal } from '../../src/internal/last-real.js';

/** gain ⊙ (z − μ)/√(σ² + ε) + shift, op by op. */
export function plainLayerNorm(z: tf.Tensor, gain: tf.Tensor, shift: tf.Tensor, epsilon: number): tf.Tensor {
  const mean = tf.mean(z, -1, true);
  const centred = tf.sub(z, mean);
  const variance = tf.mean(tf.square(centred), -1, true);
  return tf.add(tf.mul(tf.mul(centred, tf.rsqrt(tf.add(variance, epsilon))), gain), shift);
}

/** μ ⊙ x + (1 − μ) ⊙ shifted, as `shifted + μ ⊙ (x − shifted)`. */
export function plainMix(x: tf.Tensor, shifted: tf.Tensor, mu: tf.Tensor): tf.Tensor {
  return tf.add(shifted, tf.mul(mu, tf.sub(x, shifted)));
}

/** x·W over the last axis through tfjs' own reshapes. */
export function plainProduct(x: tf.Tensor, w: tf.Tensor): tf.Tensor {
  const width = x.shape[x.rank - 1] as number;
  const flat = tf.reshape(x, [-1, width]) as tf.Tensor2D;
  return tf.reshape(tf.matMul(flat, w as tf.Tensor2D), [...x.shape.slice(0, -1), w.shape[1] as number]);
}

/** σ(r) ⊙ (relu(k)²·W). */
export function plainChannelGate(r: tf.Tensor, k: tf.Tensor, w: tf.Tensor): tf.Tensor {
  return tf.mul(tf.sigmoid(r), plainProduct(tf.square(tf.relu(k)), w));
}

/** The token shift through `lastReal`, a clone, a slice and a concat. */
export function plainTokenShift(
  xs: tf.Tensor3D,
  previous: tf.Tensor2D,
  mask: tf.Tensor2D | undefined,
  reverse: boolean,
) {
  const { held, last } = lastReal(xs, previous, mask, reverse);
  const ordered = reverse ? tf.reverse(held, 1) : held;
  const time = xs.shape[1];
  const before = tf.concat([tf.expandDims(previous, 1), tf.slice(ordered, [0, 0, 0], [-1, time - 1, -1])], 1);
  return { shifted: (reverse ? tf.reverse(before, 1) : before) as tf.Tensor3D, last };
}

/** RWKV's sequence form (eqs. 11–18) with plain ops; ys with masked steps as `o.maskedOutput` asks. */
export function plainRwkvSequence(
  p: RwkvParams,
  xs: tf.Tensor3D,
  carry: RwkvCarry,
  o: SequenceOptions,
  epsilon: number,
): { ys: tf.Tensor3D; carry: RwkvCarry } {
  const { mask, reverse } = o;
  const x0 = p.inputKernel === undefined ? xs : plainProduct(xs, p.inputKernel);
  const a = plainLayerNorm(x0, p.ln1Gain!, p.ln1Shift!, epsilon) as tf.Tensor3D;
  const att = plainTokenShift(a, carry.att, mask, reverse);
  const project = (mu: tf.Tensor, w: tf.Tensor) => plainProduct(plainMix(a, att.shifted, mu), w);
  const [r, k, v] = [project(p.timeMixR!, p.receptance!), project(p.timeMixK!, p.key!), project(p.timeMixV!, p.value!)];
  const inputs = {
    k: k as tf.Tensor3D,
    v: v as tf.Tensor3D,
    w: tf.exp(p.timeDecay!) as tf.Tensor1D,
    u: p.timeFirst as tf.Tensor1D,
  };
  const state = { num0: carry.num, den0: carry.den, max0: carry.max };
  const out = runKernel(wkvSequence, { ...inputs, ...state, ...(mask ? { mask } : {}) }, { reverse });
  const x1 = tf.add(x0, plainProduct(tf.mul(tf.sigmoid(r), out.wkv), p.output!));
  const b = plainLayerNorm(x1, p.ln2Gain!, p.ln2Shift!, epsilon) as tf.Tensor3D;
  const ffn = plainTokenShift(b, carry.ffn, mask, reverse);
  const rr = plainProduct(plainMix(b, ffn.shifted, p.channelMixR!), p.ffnReceptance!);
  const kk = plainProduct(plainMix(b, ffn.shifted, p.channelMixK!), p.ffnKey!);
  let ys = tf.add(x1, plainChannelGate(rr, kk, p.ffnValue!)) as tf.Tensor3D;
  if (mask !== undefined) {
    ys =
      o.maskedOutput === 'zeros'
        ? (tf.where(tf.cast(tf.expandDims(mask, 2), 'bool'), ys, tf.zerosLike(ys)) as tf.Tensor3D)
        : lastReal(ys, tf.zeros([ys.shape[0], ys.shape[2]]), mask, reverse).held;
  }
  const next = { att: att.last, num: out.numT, den: out.denT, max: out.maxT, ffn: ffn.last } as RwkvCarry;
  return { ys, carry: next };
}
