/**
 * `RecurMinRnnScan`: minGRU's or minLSTM's whole sequence from its projected
 * pre-activations (Feng et al. 2024, "Were RNNs All We Needed?", §3.1.2 and §3.2.2): the
 * gates, the candidate g(·) and the linear recurrence h_t = a_t ⊙ h_{t−1} + b_t in one
 * pass, so that a min-RNN's training step is one matrix product (x·W, outside) plus this
 * kernel, instead of a dozen elementwise tfjs ops over `[B, T, H]`, each allocating.
 *
 *     minGru   pre = [k | k̃]:      a_t = σ(−k_t) = 1 − z_t,  b_t = σ(k_t) ⊙ c(k̃_t)
 *     minLstm  pre = [k_f | k_i | k̃]: d_t = softplus(−k_i) − softplus(−k_f) = log f_t − log i_t,
 *                                   a_t = σ(d_t) = f′_t,      b_t = σ(−d_t) ⊙ c(k̃_t)
 *
 * with c the candidate's activation: the paper's g(x) = x + ½ (x ≥ 0), σ(x) (x < 0)
 * (Appendix B.3), or the identity.
 *
 * `pre [B, T, blocks·H]` (x·W, blocks 2 or 3 in the cells' kernel order), `bias [blocks·H]`
 * (absent: zeros; added here, so its gradient is a column sum taken in the backward pass
 * rather than a tfjs reduction over `[B·T, blocks·H]`), `h0 [B, H]` (required: H follows
 * from the gates, an attribute), `mask [B, T]` (a padded step keeps the state), attrs `reverse`, `gates` and
 * `candidate`. Outputs by input time: `hs [B, T, H]` (the state after each step) and `hT`.
 *
 * Reference: a_t, b_t in tfjs ops, then `RecurLinearScan`'s reference; its gradient gives
 * da_t and db_t, and the chain rule through the gates gives dpre:
 *
 *     minGru   dk = σ(k)σ(−k) (db ⊙ c − da),  dk̃ = db ⊙ σ(k) ⊙ c′(k̃)
 *     minLstm  dd = σ(d)σ(−d) (da − db ⊙ c),  dk_f = dd ⊙ σ(−k_f),  dk_i = −dd ⊙ σ(−k_i),
 *              dk̃ = db ⊙ σ(−d) ⊙ c′(k̃)
 *
 * c′(0) is taken as 0, the subgradient tfjs' relu gives g's upper branch, so that the
 * fused kernels agree with the cells' unfused form at every input.
 *
 * Fused backends flush gradients under 2⁻¹⁰⁰ to zero (the reference does not): the adjoint
 * decays by a_t per step, and once near the subnormal range the products that follow run
 * up to 75 times slower on x86 (see backend-wasm's asm/min-rnn.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import { badArgument } from '../errors.js';
import { expectFloatTensor, expectOptionalShape, expectShape } from './check.js';
import { defineKernel, type ExampleSource } from './descriptor.js';
import { linearScan } from './linear-scan.js';
import type { ScanAttrs } from './prefix-scan.js';

/** tfjs kernel name of a min-RNN's gates and linear recurrence over a whole sequence (for `runKernel`). */
export const RecurMinRnnScan = 'RecurMinRnnScan';
/** tfjs kernel name of the min-RNN scan's backward pass. */
export const RecurMinRnnScanGrad = 'RecurMinRnnScanGrad';

/** Which min-RNN's gates: minGRU's update gate, or minLSTM's normalised forget and input gates. */
export type MinRnnGates = 'minGru' | 'minLstm';
/** The candidate's activation: the paper's positive g(·) or none. */
export type MinRnnCandidate = 'g' | 'linear';
/** Every gate kind `RecurMinRnnScan` takes. */
export const MIN_RNN_GATES: readonly MinRnnGates[] = ['minGru', 'minLstm'];
/** Every candidate activation `RecurMinRnnScan` takes. */
export const MIN_RNN_CANDIDATES: readonly MinRnnCandidate[] = ['g', 'linear'];
/** Pre-activation blocks per state feature. */
export const MIN_RNN_BLOCKS: Readonly<Record<MinRnnGates, number>> = { minGru: 2, minLstm: 3 };

/** Inputs of `RecurMinRnnScan`: pre-activations `[B, T, blocks·H]`, optional `bias [blocks·H]`, the initial state `h0 [B, H]`, optional `mask [B, T]`. */
export type RecurMinRnnScanInputs = {
  readonly pre: tf.Tensor3D;
  readonly bias?: tf.Tensor1D;
  readonly h0: tf.Tensor2D;
  readonly mask?: tf.Tensor2D;
};
/** Attributes of `RecurMinRnnScan`: direction, which gates, which candidate activation. */
export type RecurMinRnnScanAttrs = ScanAttrs & {
  readonly gates: MinRnnGates;
  readonly candidate: MinRnnCandidate;
};
/** Outputs of `RecurMinRnnScan`: the state after every step `hs [B, T, H]` and the final state `hT [B, H]`. */
export type RecurMinRnnScanOutputs = { readonly hs: tf.Tensor3D; readonly hT: tf.Tensor2D };

type Blocks = tf.Tensor3D[];

/** c(x): the paper's g(x) = x + ½ (x ≥ 0), σ(x) (x < 0), or x. */
function candidateOf(x: tf.Tensor3D, candidate: MinRnnCandidate): tf.Tensor3D {
  if (candidate === 'linear') return x;
  return tf.where(tf.greaterEqual(x, 0), tf.add(tf.relu(x), 0.5), tf.sigmoid(x)) as tf.Tensor3D;
}

/** c′(x): 1 (x > 0), σ(x)σ(−x) (x < 0), 0 at 0 (see the file comment); 1 for the identity. */
function candidateSlope(x: tf.Tensor3D, candidate: MinRnnCandidate): tf.Tensor3D {
  if (candidate === 'linear') return tf.onesLike(x);
  const below = tf.mul(tf.sigmoid(x), tf.sigmoid(tf.neg(x)));
  return tf.where(tf.greater(x, 0), tf.onesLike(x), tf.where(tf.less(x, 0), below, tf.zerosLike(x))) as tf.Tensor3D;
}

/** minLSTM's d = log f − log i = softplus(−k_i) − softplus(−k_f). */
function logRatio(kf: tf.Tensor3D, ki: tf.Tensor3D): tf.Tensor3D {
  return tf.sub(tf.softplus(tf.neg(ki)), tf.softplus(tf.neg(kf)));
}

/** Each variant's a_t, b_t from its blocks, and dpre from da, db. */
const EQUATIONS: Readonly<
  Record<
    MinRnnGates,
    {
      coefficients(blocks: Blocks, candidate: MinRnnCandidate): { a: tf.Tensor3D; b: tf.Tensor3D };
      backward(blocks: Blocks, da: tf.Tensor3D, db: tf.Tensor3D, candidate: MinRnnCandidate): tf.Tensor[];
    }
  >
> = {
  minGru: {
    coefficients([k, kc], candidate) {
      return { a: tf.sigmoid(tf.neg(k!)), b: tf.mul(tf.sigmoid(k!), candidateOf(kc!, candidate)) };
    },
    backward([k, kc], da, db, candidate) {
      const z = tf.sigmoid(k!);
      const dk = tf.mul(tf.mul(z, tf.sigmoid(tf.neg(k!))), tf.sub(tf.mul(db, candidateOf(kc!, candidate)), da));
      return [dk, tf.mul(tf.mul(db, z), candidateSlope(kc!, candidate))];
    },
  },
  minLstm: {
    coefficients([kf, ki, kc], candidate) {
      const d = logRatio(kf!, ki!);
      return { a: tf.sigmoid(d), b: tf.mul(tf.sigmoid(tf.neg(d)), candidateOf(kc!, candidate)) };
    },
    backward([kf, ki, kc], da, db, candidate) {
      const d = logRatio(kf!, ki!);
      const [f, i] = [tf.sigmoid(d), tf.sigmoid(tf.neg(d))];
      const dd = tf.mul(tf.mul(f, i), tf.sub(da, tf.mul(db, candidateOf(kc!, candidate))));
      return [
        tf.mul(dd, tf.sigmoid(tf.neg(kf!))),
        tf.neg(tf.mul(dd, tf.sigmoid(tf.neg(ki!)))),
        tf.mul(tf.mul(db, i), candidateSlope(kc!, candidate)),
      ];
    },
  },
};

function withBias(pre: tf.Tensor3D, bias: tf.Tensor1D | undefined): tf.Tensor3D {
  return bias === undefined ? pre : tf.add(pre, bias);
}

function blocksOf(pre: tf.Tensor3D, gates: MinRnnGates): Blocks {
  return tf.split(pre, MIN_RNN_BLOCKS[gates], 2) as Blocks;
}

function forward(inputs: RecurMinRnnScanInputs, attrs: RecurMinRnnScanAttrs): RecurMinRnnScanOutputs {
  return tf.tidy(() => {
    const pre = withBias(inputs.pre, inputs.bias);
    const { a, b } = EQUATIONS[attrs.gates].coefficients(blocksOf(pre, attrs.gates), attrs.candidate);
    const out = linearScan.reference({ a, b, h0: inputs.h0, mask: inputs.mask }, { reverse: attrs.reverse });
    return { hs: out.hs as tf.Tensor3D, hT: out.hT as tf.Tensor2D };
  });
}

type MinRnnScanGradInputs = RecurMinRnnScanInputs & {
  readonly hs: tf.Tensor3D;
  readonly dhs: tf.Tensor;
  readonly dhT: tf.Tensor;
};

function backward(inputs: MinRnnScanGradInputs, attrs: RecurMinRnnScanAttrs) {
  return tf.tidy(() => {
    const { h0, mask, hs, dhs, dhT } = inputs;
    const equations = EQUATIONS[attrs.gates];
    const blocks = blocksOf(withBias(inputs.pre, inputs.bias), attrs.gates);
    const { a, b } = equations.coefficients(blocks, attrs.candidate);
    const g = linearScan.referenceGrad({ a, b, h0, mask, hs, dhs, dhT }, { reverse: attrs.reverse });
    const dBlocks = equations.backward(blocks, g.a as tf.Tensor3D, g.b as tf.Tensor3D, attrs.candidate);
    const dPre = tf.concat(dBlocks, 2) as tf.Tensor3D;
    return { pre: dPre, bias: tf.sum(dPre, [0, 1]) as tf.Tensor1D, h0: g.h0 as tf.Tensor2D };
  });
}

function oneOf<T extends string>(name: string, value: unknown, allowed: readonly T[]): void {
  if (!(allowed as readonly unknown[]).includes(value)) {
    throw badArgument('BAD_CONFIG', `${RecurMinRnnScan} attrs.${name}`, `one of ${allowed.join(', ')}`, value);
  }
}

function validate(inputs: RecurMinRnnScanInputs, attrs: RecurMinRnnScanAttrs): void {
  const kernel = RecurMinRnnScan;
  const a = (attrs ?? {}) as Partial<Record<keyof RecurMinRnnScanAttrs, unknown>>;
  if (typeof a.reverse !== 'boolean')
    throw badArgument('BAD_CONFIG', `${kernel} attrs.reverse`, 'a boolean', a.reverse);
  oneOf('gates', a.gates, MIN_RNN_GATES);
  oneOf('candidate', a.candidate, MIN_RNN_CANDIDATES);
  const pre = expectFloatTensor(kernel, 'pre', inputs.pre, 3);
  const [batch, time, width] = pre.shape as [number, number, number];
  const blocks = MIN_RNN_BLOCKS[a.gates as MinRnnGates];
  if (width % blocks !== 0) {
    throw badArgument('SHAPE_MISMATCH', `${kernel} input 'pre'`, `a last axis of ${blocks}·H for ${a.gates}`, pre);
  }
  expectOptionalShape(kernel, 'bias', inputs.bias, [width]);
  expectShape(kernel, 'h0', inputs.h0, [batch, width / blocks]);
  expectOptionalShape(kernel, 'mask', inputs.mask, [batch, time]);
}

function complete(inputs: RecurMinRnnScanInputs) {
  const [batch, time, width] = inputs.pre.shape;
  return { ...inputs, bias: inputs.bias ?? tf.zeros([width]), mask: inputs.mask ?? tf.ones([batch, time]) };
}

/** Pre-activations of either sign, wide enough to reach g's two branches and saturate the gates a little. */
function example(source: ExampleSource) {
  const gates = source.pick('gates', MIN_RNN_GATES);
  const batch = source.int('batch', 1, 5);
  const time = source.int('time', 1, 9);
  const units = source.int('units', 1, 6);
  const inputs: RecurMinRnnScanInputs = {
    pre: source.uniform([batch, time, MIN_RNN_BLOCKS[gates] * units], -2, 2) as tf.Tensor3D,
    ...(source.bool('biased') ? { bias: source.uniform([MIN_RNN_BLOCKS[gates] * units], -1, 1) as tf.Tensor1D } : {}),
    h0: (source.bool('initial') ? source.uniform([batch, units], -1, 1) : tf.zeros([batch, units])) as tf.Tensor2D,
    ...(source.bool('masked') ? { mask: source.mask(batch, time) } : {}),
  };
  const attrs: RecurMinRnnScanAttrs = {
    reverse: source.bool('reverse'),
    gates,
    candidate: source.pick('candidate', MIN_RNN_CANDIDATES),
  };
  return { inputs, attrs };
}

/** A min-RNN's gates and linear recurrence, from its projected pre-activations. */
export const minRnnScan = defineKernel<{
  inputs: RecurMinRnnScanInputs;
  attrs: RecurMinRnnScanAttrs;
  outputs: RecurMinRnnScanOutputs;
  workspace: Record<never, tf.Tensor>;
  differentiable: 'pre' | 'bias' | 'h0';
  savedOutputs: 'hs';
}>({
  name: RecurMinRnnScan,
  gradName: RecurMinRnnScanGrad,
  inputs: ['pre', 'bias', 'h0', 'mask'],
  differentiable: ['pre', 'bias', 'h0'],
  outputs: ['hs', 'hT'],
  workspace: [],
  savedOutputs: ['hs'],
  validate,
  complete,
  reference: forward,
  referenceGrad: backward,
  example,
});
