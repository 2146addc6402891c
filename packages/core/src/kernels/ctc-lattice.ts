/**
 * The CTC forward–backward recursions in tfjs ops, over a whole batch at once: the
 * reference of `RecurCtcLoss` (Graves et al. 2006, "Connectionist temporal
 * classification", §4.1–4.2). Each row's label l (length L) is extended with blanks,
 * l' = (b, l_1, b, …, l_L, b) of length 2L + 1, padded to S = 2·L_max + 1 states; with
 * y_t(k) = logProbs[t, k], in log space,
 *
 *     α_0(s) = y_0(l'_s) for s < 2       α_t(s) = lse(α_{t−1}(s), α_{t−1}(s−1) [, α_{t−1}(s−2)]) + y_t(l'_s)
 *     β_{n−1}(s) = y_{n−1}(l'_s) for the last two states of l'
 *     β_t(s) = lse(β_{t+1}(s), β_{t+1}(s+1) [, β_{t+1}(s+2)]) + y_t(l'_s)
 *     ln p = lse(α_{n−1}(2L), α_{n−1}(2L − 1))
 *
 * (n the row's input length; the bracketed skip only between two different labels), and
 * ∂(−ln p)/∂y_t(k) = −Σ_{s: l'_s = k} exp(α_t(s) + β_t(s) − y_t(l'_s) − ln p) (eq. 14–16).
 * −∞ is the finite `NEG` here, so that differences of impossible states stay finite
 * (−∞ − (−∞) would be NaN); rows whose ln p is below `NEG / 2` have no alignment.
 * The sequential loops run T steps of O(B·S) ops: a reference, not a fast path.
 */
import * as tf from '@tensorflow/tfjs-core';

const NEG = -1e30;

/** What the backward reads of the forward pass. */
export interface CtcLattice {
  /** `[B, T, S]` y_t(l'_s), NEG outside each row's l'. */
  readonly emissions: tf.Tensor3D;
  /** `[B, S]` l' (blank past each row's). */
  readonly extended: tf.Tensor2D;
  /** `[B, T, S]` log α, steps past a row's length hold its last real step. */
  readonly alpha: tf.Tensor3D;
  /** `[B]` ln p(l | x), NEG or below where no alignment exists. */
  readonly logP: tf.Tensor1D;
}

export interface CtcLatticeInputs {
  readonly logProbs: tf.Tensor3D;
  readonly labels: tf.Tensor2D;
  readonly inputLengths: tf.Tensor1D;
  readonly labelLengths: tf.Tensor1D;
}

function lse3(a: tf.Tensor, b: tf.Tensor, c: tf.Tensor): tf.Tensor {
  const m = tf.maximum(tf.maximum(a, b), c);
  return tf.add(m, tf.log(tf.addN([tf.exp(tf.sub(a, m)), tf.exp(tf.sub(b, m)), tf.exp(tf.sub(c, m))])));
}

/** `x [B, S]` moved by `k` states (right for k > 0, left for k < 0), NEG where nothing came. */
function shifted(x: tf.Tensor2D, k: number): tf.Tensor2D {
  const [b, s] = x.shape;
  if (Math.abs(k) >= s) return tf.fill([b, s], NEG) as tf.Tensor2D;
  const fill = tf.fill([b, Math.abs(k)], NEG);
  return (
    k > 0
      ? tf.concat([fill, tf.slice(x, [0, 0], [b, s - k])], 1)
      : tf.concat([tf.slice(x, [0, -k], [b, s + k]), fill], 1)
  ) as tf.Tensor2D;
}

function stepOf(x: tf.Tensor3D, t: number): tf.Tensor2D {
  const [b, , s] = x.shape;
  return tf.reshape(tf.slice(x, [0, t, 0], [b, 1, s]), [b, s]);
}

/** `[B, 1]`: whether step t is within each row's input length. */
function realAt(inputLengths: tf.Tensor1D, t: number): tf.Tensor {
  return tf.expandDims(tf.less(tf.scalar(t, 'int32'), inputLengths), 1);
}

/** `[B, S]`: whether the path may enter s from s − 2 (a label unlike the one before it). */
function skips(extended: tf.Tensor2D, blank: number): tf.Tensor2D {
  const [b, s] = extended.shape;
  if (s < 3) return tf.zeros([b, s], 'bool') as tf.Tensor2D;
  const twoBack = tf.concat([tf.fill([b, 2], -1, 'int32'), tf.slice(extended, [0, 0], [b, s - 2])], 1);
  return tf.logicalAnd(tf.notEqual(extended, blank), tf.notEqual(extended, twoBack)) as tf.Tensor2D;
}

/** `[B, S]` index of state s, and whether it lies within each row's l'. */
function states(inputs: CtcLatticeInputs, size: number) {
  const s = tf.expandDims(tf.range(0, size, 1, 'int32'), 0);
  const inLabel = tf.less(s, tf.expandDims(tf.add(tf.mul(inputs.labelLengths, 2), 1), 1));
  return { s, inLabel };
}

/**
 * `[B, n]` indices into row b of a `[B, size, …]` tensor as indices into its first two
 * axes merged. (tfjs' arithmetic with a JS number gives float32: the result is cast back.)
 * Gathers here go through this rather than `gather`'s `batchDims`, which tfjs' wasm
 * backend (4.22) gets wrong for every row but the first.
 */
function rowOffsets(index: tf.Tensor, size: number): tf.Tensor {
  const rows = tf.range(0, index.shape[0] as number, 1, 'int32');
  const offsets = index.rank === 2 ? tf.expandDims(tf.mul(rows, size), 1) : tf.mul(rows, size);
  return tf.cast(tf.add(offsets, index), 'int32');
}

/** `[B, T, S]`: logProbs[b, t, extended[b, s]]. */
function gatherClasses(logProbs: tf.Tensor3D, extended: tf.Tensor2D): tf.Tensor3D {
  const [B, T, C] = logProbs.shape;
  const byClass = tf.reshape(tf.transpose(logProbs, [0, 2, 1]), [B * C, T]);
  const picked = tf.gather(byClass, tf.reshape(rowOffsets(extended, C), [-1]));
  return tf.transpose(tf.reshape(picked, [B, extended.shape[1], T]), [0, 2, 1]);
}

/** The forward pass: emissions, α and ln p. */
export function ctcForward(inputs: CtcLatticeInputs, blank: number): CtcLattice {
  const { logProbs, labels, inputLengths, labelLengths } = inputs;
  const [B, T] = logProbs.shape;
  const L = labels.shape[1];
  const S = 2 * L + 1;
  const { s, inLabel } = states(inputs, S);
  const interleaved = tf.reshape(tf.stack([tf.fill([B, L], blank, 'int32'), labels], 2), [B, 2 * L]);
  const padded = tf.concat([interleaved, tf.fill([B, 1], blank, 'int32')], 1);
  const extended = tf.where(inLabel, padded, tf.fill([B, S], blank, 'int32')) as tf.Tensor2D;
  const none = tf.fill([B, S], NEG) as tf.Tensor2D;
  // A log-probability of −∞ (a class ruled out) becomes NEG too.
  const picked = tf.maximum(gatherClasses(logProbs, extended), NEG);
  const emissions = tf.where(tf.expandDims(inLabel, 1), picked, tf.fill([B, T, S], NEG));
  const skip = skips(extended, blank);
  const alphas = [tf.where(tf.less(s, 2), stepOf(emissions as tf.Tensor3D, 0), none) as tf.Tensor2D];
  for (let t = 1; t < T; t++) {
    const a = alphas[t - 1] as tf.Tensor2D;
    const next = tf.add(
      lse3(a, shifted(a, 1), tf.where(skip, shifted(a, 2), none)),
      stepOf(emissions as tf.Tensor3D, t),
    );
    alphas.push(tf.where(realAt(inputLengths, t), next, a) as tf.Tensor2D);
  }
  const last = alphas[T - 1] as tf.Tensor2D;
  const end = tf.mul(labelLengths, 2);
  const at = (index: tf.Tensor) => tf.gather(tf.reshape(last, [-1]), rowOffsets(index, S));
  const beforeEnd = tf.where(tf.greater(end, 0), at(tf.maximum(tf.sub(end, 1), 0)), tf.fill([B], NEG));
  const ended = tf.logSumExp(tf.stack([at(end), beforeEnd], 1), 1);
  // No step: the empty label has p = 1, any other none.
  const empty = tf.where(tf.equal(labelLengths, 0), tf.zeros([B]), tf.fill([B], NEG));
  const logP = tf.where(tf.equal(inputLengths, 0), empty, ended) as tf.Tensor1D;
  return { emissions: emissions as tf.Tensor3D, extended, alpha: tf.stack(alphas, 1) as tf.Tensor3D, logP };
}

/** Whether each row has an alignment: its ln p is a real number, not the NEG of none. */
export function aligned(logP: tf.Tensor1D): tf.Tensor1D {
  return tf.greater(logP, NEG / 2) as tf.Tensor1D;
}

/** `[B, T, C]` ∂(−ln p)/∂logProbs, zero past each row's length and on rows with no alignment. */
export function ctcGradient(inputs: CtcLatticeInputs, lattice: CtcLattice, blank: number): tf.Tensor3D {
  const { inputLengths, labelLengths } = inputs;
  const { emissions, extended, alpha, logP } = lattice;
  const [B, T, C] = inputs.logProbs.shape;
  const S = extended.shape[1];
  const { s } = states(inputs, S);
  const end = tf.expandDims(tf.mul(labelLengths, 2), 1);
  const finalStates = tf.logicalOr(tf.equal(s, end), tf.equal(s, tf.sub(end, 1)));
  const start = tf.where(finalStates, tf.zeros([B, S]), tf.fill([B, S], NEG));
  // Whether s + 2 may be entered from s: the skip of s + 2, moved left.
  const nextSkip =
    S < 3
      ? tf.zeros([B, S], 'bool')
      : tf.concat([tf.slice(skips(extended, blank), [0, 2], [B, S - 2]), tf.zeros([B, 2], 'bool')], 1);
  const none = tf.fill([B, S], NEG) as tf.Tensor2D;
  const betas: tf.Tensor2D[] = new Array(T);
  let beta = none;
  for (let t = T - 1; t >= 0; t--) {
    const moved = lse3(beta, shifted(beta, -1), tf.where(nextSkip, shifted(beta, -2), none));
    const isLast = tf.expandDims(tf.equal(inputLengths, t + 1), 1);
    const b = tf.add(tf.where(isLast, start, moved), stepOf(emissions, t));
    beta = tf.where(realAt(inputLengths, t), b, none) as tf.Tensor2D;
    betas[t] = beta;
  }
  const logOccupancy = tf.sub(tf.sub(tf.add(alpha, tf.stack(betas, 1)), emissions), tf.reshape(logP, [B, 1, 1]));
  const steps = tf.reshape(tf.range(0, T, 1, 'int32'), [1, T, 1]);
  const used = tf.logicalAnd(
    tf.logicalAnd(tf.less(steps, tf.reshape(inputLengths, [B, 1, 1])), tf.reshape(aligned(logP), [B, 1, 1])),
    tf.expandDims(states(inputs, S).inLabel, 1),
  );
  // Σ over the states of each class: a product with the one-hot of l'.
  const occupancy = tf.where(used, tf.exp(logOccupancy), tf.zeros([B, T, S]));
  return tf.neg(tf.matMul(occupancy as tf.Tensor3D, tf.oneHot(extended, C) as tf.Tensor3D)) as tf.Tensor3D;
}
