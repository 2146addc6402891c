/**
 * What sLSTM and mLSTM share (Beck et al. 2024, "xLSTM", arXiv 2405.04517): the choice of
 * forget gate, its log, the forget-bias init and per-head recurrent blocks.
 */
import { assertOneOf, getInitializer, type InitializerName, type Rng } from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';

/** f_t = σ(f̃_t) or exp(f̃_t) (sec. 2.2, eq. 13; sec. 2.3, eq. 25). */
export type ForgetGate = 'sigmoid' | 'exponential';
/** The accepted `forgetGate` values of sLSTM and mLSTM, for validation and option lists. */
export const FORGET_GATES: readonly ForgetGate[] = ['sigmoid', 'exponential'];

export function forgetGateOption(kind: string, value: unknown): ForgetGate {
  const v = value ?? 'sigmoid';
  assertOneOf(v, FORGET_GATES, `${kind} config.forgetGate`);
  return v as ForgetGate;
}

/**
 * log f_t, which is all the stabilised equations need: log σ(f̃) = −softplus(−f̃) stays
 * finite where σ(f̃) underflows (f̃ = −60 gives −60, not log 0). Written out rather than
 * `tf.logSigmoid`, whose custom gradient reads a disposed tensor inside nested tidies.
 */
export function logForget(fTilde: tf.Tensor, gate: ForgetGate): tf.Tensor {
  return gate === 'sigmoid' ? tf.neg(tf.softplus(tf.neg(fTilde))) : fTilde;
}

/**
 * Forget-gate biases spread from 3 to 6 (the official xLSTM code's `linspace(3, 6)`
 * init): every gate starts near 1, keeping memory over different spans.
 */
export function xlstmForgetBias(size: number): tf.Tensor1D {
  return size === 1 ? tf.tensor1d([3]) : (tf.linspace(3, 6, size) as tf.Tensor1D);
}

/** `[heads, rows, cols]` drawn as one `[rows, cols]` matrix per head (orthogonal per block). */
export function stackedHeads(init: InitializerName | (string & {}), shape: readonly number[], rng: Rng): tf.Tensor {
  const [heads, rows, cols] = shape as [number, number, number];
  const draw = getInitializer(init);
  const blocks = Array.from({ length: heads }, () => draw([rows, cols], rng));
  const out = tf.stack(blocks);
  tf.dispose(blocks);
  return out;
}
