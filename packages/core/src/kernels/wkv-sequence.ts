/**
 * `RecurWkvSequence`: RWKV-4's WKV recurrence over a whole sequence (Peng et al. 2023,
 * "RWKV: Reinventing RNNs for the Transformer Era", arXiv 2305.13048v2, eq. 16 and its
 * recurrent form for inference):
 *
 *     wkv_t = (N_{t−1} + e^{u+k_t} v_t) / (D_{t−1} + e^{u+k_t})
 *     N_t   = e^{−w} N_{t−1} + e^{k_t} v_t          D_t = e^{−w} D_{t−1} + e^{k_t}
 *
 * per batch row and channel, with decay rate `w` and bonus `u` per channel. N and D
 * overflow for keys of a few tens, so the state is held as (num, den, max) with
 * N = num·e^max, D = den·e^max, and every exponent is taken against a running maximum
 * (the paper's numerically stable form; BlinkDL/RWKV-LM's wkv kernels):
 *
 *     q = max(max, u+k)     wkv = (e^{max−q} num + e^{u+k−q} v) / (e^{max−q} den + e^{u+k−q})
 *     q′ = max(max−w, k)    num′ = e^{max−w−q′} num + e^{k−q′} v,  den′ = …,  max′ = q′
 *
 * `k, v [B, T, C]`, `w, u [C]`, states `num0, den0, max0 [B, C]` (all absent: the empty
 * state num = den = 0, max = −1e38), `mask [B, T]` (a padded step keeps the state and
 * emits 0), attr `reverse`. Outputs by input time: `wkv [B, T, C]`, `numT, denT, maxT`;
 * workspace: the state after each step, `nums, dens, maxs [B, T, C]`.
 *
 * Gradient (derived here from the true-scale recurrence, then rescaled so nothing
 * overflows): with α_t = e^{max_t} ∂L/∂N_t, β_t = e^{max_t} ∂L/∂D_t and G = dwkv_t / den,
 *
 *     α_{t−1} = G e^{max−q} + α_t e^{max−w−q′}     β_{t−1} = −G wkv e^{max−q} + β_t e^{max−w−q′}
 *     dv_t = G e^{u+k−q} + α_t e^{k−q′}            dk_t = G e^{u+k−q}(v − wkv) + e^{k−q′}(α_t v + β_t)
 *     du  += G e^{u+k−q}(v − wkv)                   dw  −= e^{max−w−q′}(α_t num + β_t den)
 *
 * Only the outputs numT, denT, maxT depend on the representation: their gradient enters
 * as α_T = dnumT, β_T = ddenT and π_T = dmaxT − dnumT·numT − ddenT·denT on max_T, which
 * flows back along the branch each max′ chose (to k_t, or to max_{t−1} with −1 to w).
 * At the start dnum0 = α_0, dden0 = β_0, dmax0 = α_0 num0 + β_0 den0 + π_0.
 */
import * as tf from '@tensorflow/tfjs-core';
import { badArgument } from '../errors.js';
import { expectFloatTensor, expectOptionalShape, expectShape } from './check.js';
import { defineKernel, type ExampleSource } from './descriptor.js';
import { type ScanAttrs, stepsInOrder } from './prefix-scan.js';
import { type WkvGradInputs, wkvBackward } from './wkv-sequence-grad.js';
import { completeWkv as complete, realAt, stackInInputTime, stepOf, type WkvState, wkvStep } from './wkv-step.js';

/** tfjs kernel name of RWKV-4's WKV recurrence (eq. 16) over a whole sequence (for `runKernel`). */
export const RecurWkvSequence = 'RecurWkvSequence';
/** tfjs kernel name of the WKV sequence's backward pass. */
export const RecurWkvSequenceGrad = 'RecurWkvSequenceGrad';

/**
 * Inputs of `RecurWkvSequence`: keys and values `k, v [B, T, C]`, decay `w` and bonus `u`
 * `[C]`, optional state `num0, den0, max0 [B, C]` (absent: empty) and `mask [B, T]`.
 */
export type RecurWkvSequenceInputs = {
  readonly k: tf.Tensor3D;
  readonly v: tf.Tensor3D;
  readonly w: tf.Tensor1D;
  readonly u: tf.Tensor1D;
  readonly num0?: tf.Tensor2D;
  readonly den0?: tf.Tensor2D;
  readonly max0?: tf.Tensor2D;
  readonly mask?: tf.Tensor2D;
};
/** Attributes of `RecurWkvSequence`: `reverse` runs the recurrence from the last step to the first. */
export type RecurWkvSequenceAttrs = ScanAttrs;
/** Outputs of `RecurWkvSequence`: `wkv [B, T, C]` by input time and the final state `numT, denT, maxT [B, C]`. */
export type RecurWkvSequenceOutputs = {
  readonly wkv: tf.Tensor3D;
  readonly numT: tf.Tensor2D;
  readonly denT: tf.Tensor2D;
  readonly maxT: tf.Tensor2D;
};
export type RecurWkvSequenceWorkspace = {
  readonly nums: tf.Tensor3D;
  readonly dens: tf.Tensor3D;
  readonly maxs: tf.Tensor3D;
};

function forward(inputs: RecurWkvSequenceInputs, attrs: RecurWkvSequenceAttrs) {
  return tf.tidy(() => {
    const c = complete(inputs);
    const { reverse } = attrs;
    const [k, v, mask] = [c.k, c.v, c.mask].map((x) => stepsInOrder(x, reverse)) as [
      tf.Tensor3D,
      tf.Tensor3D,
      tf.Tensor3D,
    ];
    let state: WkvState = { num: c.num0, den: c.den0, max: c.max0 };
    const outs: { wkv: tf.Tensor[]; num: tf.Tensor[]; den: tf.Tensor[]; max: tf.Tensor[] } = {
      wkv: [],
      num: [],
      den: [],
      max: [],
    };
    for (let s = 0; s < (k.shape[1] as number); s++) {
      const real = realAt(mask, s);
      const step = wkvStep(state, stepOf(k, s), stepOf(v, s), c.w, c.u);
      state = {
        num: tf.where(real, step.next.num, state.num),
        den: tf.where(real, step.next.den, state.den),
        max: tf.where(real, step.next.max, state.max),
      };
      outs.wkv.push(tf.where(real, step.wkv, tf.zerosLike(step.wkv)));
      outs.num.push(state.num);
      outs.den.push(state.den);
      outs.max.push(state.max);
    }
    return {
      wkv: stackInInputTime(outs.wkv, reverse),
      numT: state.num as tf.Tensor2D,
      denT: state.den as tf.Tensor2D,
      maxT: state.max as tf.Tensor2D,
      nums: stackInInputTime(outs.num, reverse),
      dens: stackInInputTime(outs.den, reverse),
      maxs: stackInInputTime(outs.max, reverse),
    };
  });
}

const STATES = ['num0', 'den0', 'max0'] as const;

function validate(inputs: RecurWkvSequenceInputs, attrs: RecurWkvSequenceAttrs): void {
  const kernel = RecurWkvSequence;
  const k = expectFloatTensor(kernel, 'k', inputs.k, 3);
  const [batch, time, channels] = k.shape as [number, number, number];
  expectShape(kernel, 'v', inputs.v, k.shape);
  expectShape(kernel, 'w', inputs.w, [channels]);
  expectShape(kernel, 'u', inputs.u, [channels]);
  const given = STATES.filter((name) => inputs[name] !== undefined);
  if (given.length !== 0 && given.length !== STATES.length) {
    throw badArgument('BAD_DATA', `${kernel} initial state`, 'num0, den0 and max0 together, or none', given);
  }
  for (const name of STATES) expectOptionalShape(kernel, name, inputs[name], [batch, channels]);
  expectOptionalShape(kernel, 'mask', inputs.mask, [batch, time]);
  const reverse = (attrs as { reverse?: unknown } | null)?.reverse;
  if (typeof reverse !== 'boolean') throw badArgument('BAD_CONFIG', `${kernel} attrs.reverse`, 'a boolean', reverse);
}

/** Keys of either sign (±3 around a running max), positive decays, dens > 0 as the recurrence keeps them. */
function example(source: ExampleSource) {
  const batch = source.int('batch', 1, 5);
  const time = source.int('time', 1, 9);
  const channels = source.int('channels', 1, 7);
  const r = (shape: number[], low: number, high: number) => source.uniform(shape, low, high);
  const initial = source.bool('initial');
  const inputs: RecurWkvSequenceInputs = {
    k: r([batch, time, channels], -3, 3) as tf.Tensor3D,
    v: r([batch, time, channels], -1, 1) as tf.Tensor3D,
    w: r([channels], 0.05, 2) as tf.Tensor1D,
    u: r([channels], -1, 1) as tf.Tensor1D,
    ...(initial
      ? {
          num0: r([batch, channels], -1, 1) as tf.Tensor2D,
          den0: r([batch, channels], 0.2, 2) as tf.Tensor2D,
          max0: r([batch, channels], -2, 2) as tf.Tensor2D,
        }
      : {}),
    ...(source.bool('masked') ? { mask: source.mask(batch, time) } : {}),
  };
  return { inputs, attrs: { reverse: source.bool('reverse') } };
}

/** RWKV-4's WKV recurrence with the running-max stabiliser. */
export const wkvSequence = defineKernel<{
  inputs: RecurWkvSequenceInputs;
  attrs: RecurWkvSequenceAttrs;
  outputs: RecurWkvSequenceOutputs;
  workspace: RecurWkvSequenceWorkspace;
  differentiable: 'k' | 'v' | 'w' | 'u' | 'num0' | 'den0' | 'max0';
  savedOutputs: 'numT' | 'denT';
}>({
  name: RecurWkvSequence,
  gradName: RecurWkvSequenceGrad,
  inputs: ['k', 'v', 'w', 'u', 'num0', 'den0', 'max0', 'mask'],
  differentiable: ['k', 'v', 'w', 'u', 'num0', 'den0', 'max0'],
  outputs: ['wkv', 'numT', 'denT', 'maxT'],
  workspace: ['nums', 'dens', 'maxs'],
  savedOutputs: ['numT', 'denT'],
  validate,
  complete,
  reference: forward,
  referenceGrad: (inputs, attrs) => wkvBackward(inputs as WkvGradInputs, attrs.reverse),
  example,
});
