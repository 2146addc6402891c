/**
 * The reference gradient of `RecurWkvSequence` in tfjs ops, stepping backwards through
 * the states the forward kept (its workspace). The derivation is in wkv-sequence.ts: the
 * true-scale gradients of N and D travel rescaled by e^{max} (α, β), and π carries the
 * gradient reaching the final `maxT` back along the branch each running max chose.
 */
import * as tf from '@tensorflow/tfjs-core';
import { stepsInOrder } from './prefix-scan.js';
import type { RecurWkvSequenceInputs } from './wkv-sequence.js';
import { completeWkv, realAt, stackInInputTime, stepOf, type WkvState, wkvStep } from './wkv-step.js';

export type WkvGradInputs = RecurWkvSequenceInputs & {
  readonly nums: tf.Tensor3D;
  readonly dens: tf.Tensor3D;
  readonly maxs: tf.Tensor3D;
  readonly numT: tf.Tensor2D;
  readonly denT: tf.Tensor2D;
  readonly dwkv: tf.Tensor3D;
  readonly dnumT: tf.Tensor2D;
  readonly ddenT: tf.Tensor2D;
  readonly dmaxT: tf.Tensor2D;
};

export function wkvBackward(inputs: WkvGradInputs, reverse: boolean) {
  return tf.tidy(() => {
    const c = completeWkv(inputs);
    const inOrder = (x: tf.Tensor) => stepsInOrder(x, reverse);
    const [k, v, mask, dwkv] = [inOrder(c.k), inOrder(c.v), inOrder(c.mask), inOrder(c.dwkv)];
    const [nums, dens, maxs] = [inOrder(c.nums), inOrder(c.dens), inOrder(c.maxs)];
    const time = k.shape[1] as number;
    const before = (s: number): WkvState =>
      s === 0
        ? { num: c.num0, den: c.den0, max: c.max0 }
        : { num: stepOf(nums, s - 1), den: stepOf(dens, s - 1), max: stepOf(maxs, s - 1) };
    let alpha: tf.Tensor = c.dnumT;
    let beta: tf.Tensor = c.ddenT;
    let pi: tf.Tensor = tf.sub(c.dmaxT, tf.add(tf.mul(c.dnumT, c.numT), tf.mul(c.ddenT, c.denT)));
    let dw: tf.Tensor = tf.zerosLike(c.w);
    let du: tf.Tensor = tf.zerosLike(c.u);
    const dk: tf.Tensor[] = [];
    const dv: tf.Tensor[] = [];
    for (let s = time - 1; s >= 0; s--) {
      const real = realAt(mask, s);
      const state = before(s);
      const [kt, vt] = [stepOf(k, s), stepOf(v, s)];
      const step = wkvStep(state, kt, vt, c.w, c.u);
      const g = tf.div(stepOf(dwkv, s), step.den);
      const fromOutput = tf.mul(tf.mul(g, step.e2), tf.sub(vt, step.wkv));
      const kBranch = tf.logicalNot(step.decayBranch);
      const zero = tf.zerosLike(kt);
      dk.push(
        tf.where(
          real,
          tf.add(tf.add(fromOutput, tf.mul(step.f2, tf.add(tf.mul(alpha, vt), beta))), tf.where(kBranch, pi, zero)),
          zero,
        ),
      );
      dv.push(tf.where(real, tf.add(tf.mul(g, step.e2), tf.mul(alpha, step.f2)), zero));
      du = tf.add(du, tf.sum(tf.where(real, fromOutput, zero), 0));
      const fromDecay = tf.add(
        tf.mul(step.f1, tf.add(tf.mul(alpha, state.num), tf.mul(beta, state.den))),
        tf.where(step.decayBranch, pi, zero),
      );
      dw = tf.sub(dw, tf.sum(tf.where(real, fromDecay, zero), 0));
      alpha = tf.where(real, tf.add(tf.mul(g, step.e1), tf.mul(alpha, step.f1)), alpha);
      beta = tf.where(real, tf.sub(tf.mul(beta, step.f1), tf.mul(tf.mul(g, step.wkv), step.e1)), beta);
      pi = tf.where(real, tf.where(step.decayBranch, pi, zero), pi);
    }
    return {
      k: stackInInputTime(dk.reverse(), reverse),
      v: stackInInputTime(dv.reverse(), reverse),
      w: dw,
      u: du,
      num0: alpha,
      den0: beta,
      max0: tf.add(tf.add(tf.mul(alpha, c.num0), tf.mul(beta, c.den0)), pi),
    };
  });
}
