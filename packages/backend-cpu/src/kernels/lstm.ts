/**
 * Fused LSTM sequence kernel on the cpu backend: the same function as core's reference
 * `RecurLstmSequence` (see its doc for the equations and layouts), computed on typed
 * arrays. One product for the input projection of all steps, one per step for the
 * recurrence, gates in place; the backward pass collects every step's gate gradients
 * and forms the weight gradients as three large products at the end.
 */
import { gemm, packB } from '../gemm.js';
import { scalarActivation } from './activation.js';
import { flush } from './flush.js';
import {
  type BackwardAttrs,
  emitOutputs,
  emittedSteps,
  previousStates,
  projectionGradients,
  type SequenceDims,
  stepOrder,
} from './sequence-common.js';

export interface LstmArrays {
  readonly x: Float32Array;
  readonly kernel: Float32Array;
  readonly recurrentKernel: Float32Array;
  readonly bias: Float32Array;
  readonly h0: Float32Array;
  readonly c0: Float32Array;
  readonly mask: Float32Array;
}

export interface LstmAttrs {
  readonly activation: Parameters<typeof scalarActivation>[0];
  readonly recurrentActivation: Parameters<typeof scalarActivation>[0];
  readonly reverse: boolean;
  readonly maskedOutput: 'zeros' | 'previous';
}

export interface LstmForward {
  readonly ys: Float32Array;
  readonly hT: Float32Array;
  readonly cT: Float32Array;
  readonly gates: Float32Array;
  readonly hs: Float32Array;
  readonly cs: Float32Array;
}

export function lstmForward(v: LstmArrays, d: SequenceDims, attrs: LstmAttrs): LstmForward {
  const { batch: B, time: T, input: I, units: H } = d;
  const G = 4 * H;
  const act = scalarActivation(attrs.activation).f;
  const sigma = scalarActivation(attrs.recurrentActivation).f;
  // Z = X·W + b for every step at once, batch-major rows (b·T + t).
  const zx = new Float32Array(B * T * G);
  for (let r = 0; r < B * T; r++) zx.set(v.bias, r * G);
  gemm({
    transA: false,
    transB: false,
    m: B * T,
    n: G,
    k: I,
    a: v.x,
    lda: I,
    b: v.kernel,
    ldb: G,
    beta: 1,
    c: zx,
    ldc: G,
  });
  const gates = new Float32Array(T * B * G);
  const hs = new Float32Array(T * B * H);
  const cs = new Float32Array(T * B * H);
  const h = Float32Array.from(v.h0);
  const c = Float32Array.from(v.c0);
  const packedU = packB({ transB: false, k: H, n: G }, v.recurrentKernel, 0, G, B);
  for (const t of stepOrder(T, attrs.reverse)) {
    // Z_t += h·U in place: row b of step t is zx's row b·T + t, T·G apart.
    gemm({
      transA: false,
      transB: false,
      m: B,
      n: G,
      k: H,
      a: h,
      lda: H,
      b: v.recurrentKernel,
      ldb: G,
      beta: 1,
      c: zx,
      cOffset: t * G,
      ldc: T * G,
      packedB: packedU,
    });
    for (let b = 0; b < B; b++) {
      const real = v.mask[b * T + t] !== 0;
      const zo = (b * T + t) * G;
      const go = (t * B + b) * G;
      for (let j = 0; j < H; j++) {
        const i = sigma(zx[zo + j] as number);
        const f = sigma(zx[zo + H + j] as number);
        const g = act(zx[zo + 2 * H + j] as number);
        const o = sigma(zx[zo + 3 * H + j] as number);
        gates[go + j] = i;
        gates[go + H + j] = f;
        gates[go + 2 * H + j] = g;
        gates[go + 3 * H + j] = o;
        if (real) {
          const cNew = f * (c[b * H + j] as number) + i * g;
          c[b * H + j] = cNew;
          h[b * H + j] = o * act(Math.fround(cNew));
        }
      }
    }
    hs.set(h, t * B * H);
    cs.set(c, t * B * H);
  }
  const ys = emitOutputs(hs, v.mask, d, attrs.maskedOutput, attrs.reverse);
  return { ys, hT: h, cT: c, gates, hs, cs };
}

export interface LstmGradArrays extends LstmArrays {
  readonly gates: Float32Array;
  readonly hs: Float32Array;
  readonly cs: Float32Array;
  readonly dys: Float32Array;
  readonly dhT: Float32Array;
  readonly dcT: Float32Array;
}

export interface LstmGrads {
  readonly dx: Float32Array;
  readonly dKernel: Float32Array;
  readonly dRecurrentKernel: Float32Array;
  readonly dBias: Float32Array;
  readonly dh0: Float32Array;
  readonly dc0: Float32Array;
}

export function lstmBackward(v: LstmGradArrays, d: SequenceDims, attrs: LstmAttrs & BackwardAttrs): LstmGrads {
  const { batch: B, time: T, units: H } = d;
  const G = 4 * H;
  const act = scalarActivation(attrs.activation);
  const sigma = scalarActivation(attrs.recurrentActivation).back;
  const emitted = emittedSteps(v.mask, d, attrs.maskedOutput, attrs.reverse);
  const cPrevAll = previousStates(v.cs, v.c0, d, attrs.reverse);
  const dZ = new Float32Array(T * B * G);
  const dh = Float32Array.from(v.dhT);
  const dc = Float32Array.from(v.dcT);
  const dhPrev = new Float32Array(B * H);
  const packedUt = packB({ transB: true, k: G, n: H }, v.recurrentKernel, 0, G, B);
  for (const t of stepOrder(T, attrs.reverse).reverse()) {
    const dzStep = dZ.subarray(t * B * G, (t + 1) * B * G);
    for (let b = 0; b < B; b++) {
      const real = v.mask[b * T + t] !== 0;
      const go = (t * B + b) * G;
      const so = (t * B + b) * H;
      const yo = (b * T + t) * H;
      const e = emitted[t * B + b] === 1;
      for (let j = 0; j < H; j++) {
        const dhTotal = flush(dh[b * H + j] as number) + (e ? (v.dys[yo + j] as number) : 0);
        if (!real) {
          // A padded step passes its state through: the gradient goes straight to the step before.
          dh[b * H + j] = dhTotal;
          continue;
        }
        const i = v.gates[go + j] as number;
        const f = v.gates[go + H + j] as number;
        const g = v.gates[go + 2 * H + j] as number;
        const o = v.gates[go + 3 * H + j] as number;
        const a = act.f(v.cs[so + j] as number);
        const dcNew = flush(dc[b * H + j] as number) + act.back(dhTotal * o, a);
        dzStep[b * G + j] = sigma(dcNew * g, i);
        dzStep[b * G + H + j] = sigma(dcNew * (cPrevAll[so + j] as number), f);
        dzStep[b * G + 2 * H + j] = act.back(dcNew * i, g);
        dzStep[b * G + 3 * H + j] = sigma(dhTotal * a, o);
        dc[b * H + j] = dcNew * f;
        dh[b * H + j] = 0;
      }
    }
    // dh_{t−1} = dZ_t·Uᵀ (+ what padded rows passed through, already in dh).
    gemm({
      transA: false,
      transB: true,
      m: B,
      n: H,
      k: G,
      a: dzStep,
      lda: G,
      b: v.recurrentKernel,
      ldb: G,
      c: dhPrev,
      ldc: H,
      packedB: packedUt,
    });
    for (let k = 0; k < B * H; k++) dh[k] = (dh[k] as number) + (dhPrev[k] as number);
  }
  const { dx, dKernel, dBias: dInputBias } = projectionGradients(v.x, v.kernel, dZ, d, G, attrs);
  const dRecurrentKernel = new Float32Array(H * G);
  const hPrevAll = previousStates(v.hs, v.h0, d, attrs.reverse);
  gemm({
    transA: true,
    transB: false,
    m: H,
    n: G,
    k: T * B,
    a: hPrevAll,
    lda: H,
    b: dZ,
    ldb: G,
    c: dRecurrentKernel,
    ldc: G,
  });
  return {
    dx,
    dKernel,
    dRecurrentKernel,
    dBias: dInputBias,
    dh0: dh,
    dc0: dc,
  };
}
