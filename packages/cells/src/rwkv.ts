/**
 * RWKV-4 (Peng et al. 2023, "RWKV: Reinventing RNNs for the Transformer Era",
 * https://arxiv.org/abs/2305.13048), one layer as a cell: the pre-norm residual block of
 * the paper's Fig. 2, time mixing then channel mixing. Equation numbers are arXiv v2's.
 *
 *     x₀ = x (or x·W_in when inputSize ≠ units)
 *     a_t = LN₁(x₀_t)                                       token shift, time mixing:
 *     r_t = (μ_r ⊙ a_t + (1 − μ_r) ⊙ a_{t−1})·W_r           (11)
 *     k_t = (μ_k ⊙ a_t + (1 − μ_k) ⊙ a_{t−1})·W_k           (12)
 *     v_t = (μ_v ⊙ a_t + (1 − μ_v) ⊙ a_{t−1})·W_v           (13)
 *     wkv_t = (Σ_{i<t} e^{−(t−1−i)w + k_i} v_i + e^{u+k_t} v_t)
 *           / (Σ_{i<t} e^{−(t−1−i)w + k_i} + e^{u+k_t})       (16), w = e^{timeDecay}, u = timeFirst
 *     x₁_t = x₀_t + (σ(r_t) ⊙ wkv_t)·W_o                    (17)
 *     b_t = LN₂(x₁_t)                                       channel mixing:
 *     r′_t = (μ′_r ⊙ b_t + (1 − μ′_r) ⊙ b_{t−1})·W′_r       (14)
 *     k′_t = (μ′_k ⊙ b_t + (1 − μ′_k) ⊙ b_{t−1})·W′_k       (15)
 *     y_t = x₁_t + σ(r′_t) ⊙ (max(k′_t, 0)²·W′_v)           (18)
 *
 * Step form (generation): the carry holds a_{t−1} (`att`), b_{t−1} (`ffn`) and the WKV
 * state as (num, den, max), the paper's numerically stable recurrence (a running max
 * keeps e^{k} from overflowing). Sequence form (training): the projections run on
 * the whole sequence at once, the token shift through `linearScan` (padding skipped), and
 * eq. 16 through core's `wkvSequence` kernel, fused on cpu with its analytic gradient.
 * The elementwise glue (layer norms, token mixes, the receptance gates, residual adds) is
 * made of ops with their own gradients that keep only what their backward reads: autodiff
 * through plain tfjs ops kept about 200 tensors of `[B, T, C]` alive through a training
 * step, 5 GB at batch 16, 256 channels and T = 2048, past the wasm backend's 4 GiB heap.
 */
import {
  type Cell,
  checkConfig,
  checkPositiveInteger,
  checkPositiveNumber,
  checkRng,
  type InitializerName,
  type Rng,
  resolveInitializerName,
  runKernel,
  type SequenceOptions,
  type SequenceResult,
  WKV_EMPTY_MAX,
  wkvSequence,
  wkvStep,
} from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';
import { channelMixGate } from './internal/channel-mix-gate.js';
import type { Resolved } from './internal/config.js';
import { applyMaskedOutput, tokenShift } from './internal/last-real.js';
import { layerNorm } from './internal/layer-norm.js';
import { initParams, type ParamInit } from './internal/ops.js';
import { receptanceGate } from './internal/receptance-gate.js';
import { residualAdd } from './internal/residual-add.js';
import { sequenceProduct } from './internal/sequence-product.js';
import { checkBatch, checkCarry, checkInput, type ParamShapes, paramsCheck } from './internal/shapes.js';
import { tokenMix as mix } from './internal/token-mix.js';

/** Options of `rwkv`: sizes, channel-mixing width, layer-norm ε and initialiser. */
export interface RwkvConfig {
  /** Features per input step. Required. */
  readonly inputSize: number;
  /** Channels C: the width of the residual stream, the WKV state and the output. Required. */
  readonly units: number;
  /** Hidden width of channel mixing, as a multiple of `units`. Default 4 (the paper's). */
  readonly ffnMultiplier?: number;
  /** ε of both layer norms. Default 1e-5. */
  readonly layerNormEpsilon?: number;
  /** Every projection matrix. Default `'glorotUniform'`. */
  readonly kernelInitializer?: InitializerName | (string & {});
}

/** Each `[batch, units]`. `max` starts at −1e38: the empty WKV state. */
export type RwkvCarry = {
  readonly att: tf.Tensor2D;
  readonly num: tf.Tensor2D;
  readonly den: tf.Tensor2D;
  readonly max: tf.Tensor2D;
  readonly ffn: tf.Tensor2D;
};

/** Matrices `[in, out]` (x·W); vectors `[units]`. `inputKernel` exists when inputSize ≠ units. */
export type RwkvParams = Readonly<Record<string, tf.Tensor>> & {
  readonly inputKernel?: tf.Tensor2D;
};

/** An RWKV-4 block as a cell (`kind: 'rwkv'`), as `rwkv` returns it. */
export type RwkvCell = Cell<RwkvCarry, RwkvParams, Resolved<RwkvConfig>> & { readonly kind: 'rwkv' };

const FIELDS = ['inputSize', 'units', 'ffnMultiplier', 'layerNormEpsilon', 'kernelInitializer'] as const;

/** Channel c's position in [0, 1]: RWKV-4 initialises decays and mixes as ramps over channels. */
function ramp(shape: readonly number[], f: (position: number) => number): tf.Tensor {
  const n = shape[0] as number;
  return tf.tensor1d(Float32Array.from({ length: n }, (_, c) => f(n === 1 ? 0 : c / (n - 1))));
}

/**
 * Initial values after BlinkDL/RWKV-LM's RWKV-4 (an init, not part of the model): decays
 * from e^{−5} (long memory) to e^{3} (the previous token) across channels, bonus log 0.3,
 * token-shift mixes from half to all of the current token.
 */
const VECTOR_INITS: Readonly<Record<string, ParamInit>> = {
  timeDecay: (shape) => ramp(shape, (p) => -5 + 8 * p ** 0.7),
  timeFirst: (shape) => tf.fill([...shape], Math.log(0.3)),
  timeMixK: (shape) => ramp(shape, (p) => 0.5 + 0.5 * p),
  timeMixV: (shape) => ramp(shape, (p) => 0.5 + 0.5 * p),
  timeMixR: (shape) => ramp(shape, (p) => 0.5 + 0.25 * p),
  channelMixK: (shape) => ramp(shape, (p) => 0.5 + 0.5 * p),
  channelMixR: (shape) => ramp(shape, (p) => 0.5 + 0.5 * p),
  ln1Gain: (shape) => tf.ones([...shape]),
  ln1Shift: (shape) => tf.zeros([...shape]),
  ln2Gain: (shape) => tf.ones([...shape]),
  ln2Shift: (shape) => tf.zeros([...shape]),
};

/** x·W over the last axis, for steps `[B, C]` and sequences `[B, T, C]`. */
function project(x: tf.Tensor, w: tf.Tensor): tf.Tensor {
  if (x.rank === 2) return tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D);
  return sequenceProduct(x, w as tf.Tensor2D);
}

/** An RWKV-4 layer: time mixing and channel mixing with residuals and pre-norm (see the file comment). */
export function rwkv(config: RwkvConfig): RwkvCell {
  const kind = 'rwkv';
  checkConfig(config, FIELDS, `${kind} config`);
  const full: Resolved<RwkvConfig> = Object.freeze({
    inputSize: checkPositiveInteger(config.inputSize, `${kind} config.inputSize`),
    units: checkPositiveInteger(config.units, `${kind} config.units`),
    ffnMultiplier: checkPositiveNumber(config.ffnMultiplier, `${kind} config.ffnMultiplier`, 4),
    layerNormEpsilon: checkPositiveNumber(config.layerNormEpsilon, `${kind} config.layerNormEpsilon`, 1e-5),
    kernelInitializer: resolveInitializerName(
      config.kernelInitializer ?? 'glorotUniform',
      `${kind} config.kernelInitializer`,
    ),
  });
  const { inputSize, units: C, layerNormEpsilon: eps } = full;
  const hidden = Math.max(1, Math.round(full.ffnMultiplier * C));
  const matrices: ParamShapes = {
    ...(inputSize === C ? {} : { inputKernel: [inputSize, C] }),
    receptance: [C, C],
    key: [C, C],
    value: [C, C],
    output: [C, C],
    ffnReceptance: [C, C],
    ffnKey: [C, hidden],
    ffnValue: [hidden, C],
  };
  const shapes: ParamShapes = { ...matrices, ...Object.fromEntries(Object.keys(VECTOR_INITS).map((n) => [n, [C]])) };
  const inits = {
    ...Object.fromEntries(Object.keys(matrices).map((n) => [n, full.kernelInitializer])),
    ...VECTOR_INITS,
  };
  const params = paramsCheck(kind, shapes);
  const widths = { att: C, num: C, den: C, max: C, ffn: C };

  /** Time mixing's r, k, v (eqs. 11–13) from the normed input and its shift. */
  const rkv = (p: RwkvParams, a: tf.Tensor, shifted: tf.Tensor) => ({
    r: project(mix(a, shifted, p.timeMixR!), p.receptance!),
    k: project(mix(a, shifted, p.timeMixK!), p.key!),
    v: project(mix(a, shifted, p.timeMixV!), p.value!),
  });
  /** x₁ + channel mixing of b (eqs. 14, 15, 18). */
  const channelMix = (p: RwkvParams, x1: tf.Tensor, b: tf.Tensor, shifted: tf.Tensor) => {
    const r = project(mix(b, shifted, p.channelMixR!), p.ffnReceptance!);
    const k = project(mix(b, shifted, p.channelMixK!), p.ffnKey!);
    return residualAdd(x1, channelMixGate(r, k, p.ffnValue as tf.Tensor2D));
  };
  const embed = (p: RwkvParams, x: tf.Tensor) => (p.inputKernel === undefined ? x : project(x, p.inputKernel));

  function sequence(p: RwkvParams, xs: tf.Tensor3D, carry: RwkvCarry, o: SequenceOptions): SequenceResult<RwkvCarry> {
    return tf.tidy(() => {
      const { mask, reverse } = o;
      const x0 = embed(p, xs);
      const a = layerNorm(x0 as tf.Tensor3D, p.ln1Gain!, p.ln1Shift!, eps);
      const att = tokenShift(a, carry.att, mask, reverse);
      const { r, k, v } = rkv(p, a, att.shifted);
      const state = { num0: carry.num, den0: carry.den, max0: carry.max };
      const wkvInputs = {
        k: k as tf.Tensor3D,
        v: v as tf.Tensor3D,
        w: tf.exp(p.timeDecay!) as tf.Tensor1D,
        u: p.timeFirst as tf.Tensor1D,
      };
      const out = runKernel(wkvSequence, { ...wkvInputs, ...state, ...(mask ? { mask } : {}) }, { reverse });
      const x1 = residualAdd(x0, project(receptanceGate(r, out.wkv), p.output!));
      const b = layerNorm(x1 as tf.Tensor3D, p.ln2Gain!, p.ln2Shift!, eps);
      const ffn = tokenShift(b, carry.ffn, mask, reverse);
      const ys = channelMix(p, x1, b, ffn.shifted) as tf.Tensor3D;
      return {
        ys: applyMaskedOutput(ys, mask, reverse, o.maskedOutput),
        carry: { att: att.last, num: out.numT, den: out.denT, max: out.maxT, ffn: ffn.last },
      };
    });
  }

  return Object.freeze({
    kind,
    config: full,
    inputSize,
    outputSize: C,
    checkParams: params.check,
    sequence,
    init(rng: Rng): RwkvParams {
      checkRng(rng, `${kind} init rng`);
      return initParams<RwkvParams>(shapes, inits, rng);
    },
    initCarry(batch: number): RwkvCarry {
      const b = checkBatch(kind, batch);
      const zeros = () => tf.zeros([b, C]) as tf.Tensor2D;
      return {
        att: zeros(),
        num: zeros(),
        den: zeros(),
        max: tf.fill([b, C], WKV_EMPTY_MAX) as tf.Tensor2D,
        ffn: zeros(),
      };
    },
    step(p: RwkvParams, carry: RwkvCarry, x: tf.Tensor2D) {
      const batch = checkInput(kind, x, inputSize);
      checkCarry(kind, carry, widths, batch);
      params.checkOnce(p);
      return tf.tidy(() => {
        const x0 = embed(p, x);
        const a = layerNorm(x0, p.ln1Gain!, p.ln1Shift!, eps);
        const { r, k, v } = rkv(p, a, carry.att);
        const s = wkvStep(carry, k, v, tf.exp(p.timeDecay!), p.timeFirst!);
        const x1 = residualAdd(x0, project(receptanceGate(r, s.wkv), p.output!));
        const b = layerNorm(x1, p.ln2Gain!, p.ln2Shift!, eps);
        const y = channelMix(p, x1, b, carry.ffn) as tf.Tensor2D;
        const next = { att: a, num: s.next.num, den: s.next.den, max: s.next.max, ffn: b } as RwkvCarry;
        return { carry: next, y };
      });
    },
  });
}
