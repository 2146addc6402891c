/**
 * Fused GRU sequence kernel on the cpu backend: the same function as core's reference
 * `RecurGruSequence` (both `resetAfter` variants; see its doc), on typed arrays.
 */
import { gemm, packB } from '../gemm.js';
import { scalarActivation } from './activation.js';
import { flush } from './flush.js';
import type { LstmAttrs } from './lstm.js';
import {
  type BackwardAttrs,
  columnSums,
  emitOutputs,
  emittedSteps,
  previousStates,
  projectionGradients,
  type SequenceDims,
  stepOrder,
} from './sequence-common.js';

export interface GruArrays {
  readonly x: Float32Array;
  readonly kernel: Float32Array;
  readonly recurrentKernel: Float32Array;
  /** `[3H]`, or `[2, 3H]` (input bias, recurrent bias) when `biasRows` is 2. */
  readonly bias: Float32Array;
  readonly biasRows: 1 | 2;
  readonly h0: Float32Array;
  readonly mask: Float32Array;
}

export interface GruAttrs extends LstmAttrs {
  readonly resetAfter: boolean;
}

export function gruForward(v: GruArrays, d: SequenceDims, attrs: GruAttrs) {
  const { batch: B, time: T, input: I, units: H } = d;
  const G = 3 * H;
  const W = attrs.resetAfter ? 4 * H : 3 * H; // workspace width per row
  const act = scalarActivation(attrs.activation).f;
  const sigma = scalarActivation(attrs.recurrentActivation).f;
  const zx = new Float32Array(B * T * G);
  const inputBias = v.bias.subarray(0, G);
  for (let r = 0; r < B * T; r++) zx.set(inputBias, r * G);
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
  const gates = new Float32Array(T * B * W);
  const hs = new Float32Array(T * B * H);
  const h = Float32Array.from(v.h0);
  const hu = new Float32Array(B * G);
  const rh = new Float32Array(B * H);
  const uh = new Float32Array(B * H);
  const packedU = attrs.resetAfter ? packB({ transB: false, k: H, n: G }, v.recurrentKernel, 0, G, B) : undefined;
  for (const t of stepOrder(T, attrs.reverse)) {
    if (attrs.resetAfter) {
      for (let b = 0; b < B; b++) {
        if (v.biasRows === 2) hu.set(v.bias.subarray(G, 2 * G), b * G);
        else hu.fill(0, b * G, (b + 1) * G);
      }
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
        c: hu,
        ldc: G,
        packedB: packedU,
      });
    } else {
      // Only the z and r blocks see h directly; the candidate block sees r⊙h.
      gemm({
        transA: false,
        transB: false,
        m: B,
        n: 2 * H,
        k: H,
        a: h,
        lda: H,
        b: v.recurrentKernel,
        ldb: G,
        c: hu,
        ldc: G,
      });
    }
    for (let b = 0; b < B; b++) {
      const xo = (b * T + t) * G;
      for (let j = 0; j < H; j++) {
        const z = sigma((zx[xo + j] as number) + (hu[b * G + j] as number));
        const r = sigma((zx[xo + H + j] as number) + (hu[b * G + H + j] as number));
        const go = (t * B + b) * W;
        gates[go + j] = z;
        gates[go + H + j] = r;
        rh[b * H + j] = r * (h[b * H + j] as number);
      }
    }
    if (!attrs.resetAfter) {
      gemm({
        transA: false,
        transB: false,
        m: B,
        n: H,
        k: H,
        a: rh,
        lda: H,
        b: v.recurrentKernel,
        bOffset: 2 * H,
        ldb: G,
        c: uh,
        ldc: H,
      });
    }
    for (let b = 0; b < B; b++) {
      const real = v.mask[b * T + t] !== 0;
      const xo = (b * T + t) * G;
      const go = (t * B + b) * W;
      for (let j = 0; j < H; j++) {
        const z = gates[go + j] as number;
        const r = gates[go + H + j] as number;
        let pre: number;
        if (attrs.resetAfter) {
          const huh = hu[b * G + 2 * H + j] as number;
          gates[go + 3 * H + j] = huh;
          pre = (zx[xo + 2 * H + j] as number) + Math.fround(r * huh);
        } else {
          pre = (zx[xo + 2 * H + j] as number) + (uh[b * H + j] as number);
        }
        const cand = act(Math.fround(pre));
        gates[go + 2 * H + j] = cand;
        if (real) {
          const prev = h[b * H + j] as number;
          h[b * H + j] = z * prev + (1 - z) * Math.fround(cand);
        }
      }
    }
    hs.set(h, t * B * H);
  }
  const ys = emitOutputs(hs, v.mask, d, attrs.maskedOutput, attrs.reverse);
  return { ys, hT: h, gates, hs };
}

export interface GruGradArrays extends GruArrays {
  readonly gates: Float32Array;
  readonly hs: Float32Array;
  readonly dys: Float32Array;
  readonly dhT: Float32Array;
}

export function gruBackward(v: GruGradArrays, d: SequenceDims, attrs: GruAttrs & BackwardAttrs) {
  const { batch: B, time: T, units: H } = d;
  const G = 3 * H;
  const W = attrs.resetAfter ? 4 * H : 3 * H;
  const act = scalarActivation(attrs.activation).back;
  const sigma = scalarActivation(attrs.recurrentActivation).back;
  const emitted = emittedSteps(v.mask, d, attrs.maskedOutput, attrs.reverse);
  const hPrevAll = previousStates(v.hs, v.h0, d, attrs.reverse);
  const dZ = new Float32Array(T * B * G);
  const dHU = attrs.resetAfter ? new Float32Array(T * B * G) : dZ;
  const dh = Float32Array.from(v.dhT);
  const dResetH = new Float32Array(B * H);
  const packedUt = attrs.resetAfter ? packB({ transB: true, k: G, n: H }, v.recurrentKernel, 0, G, B) : undefined;
  for (const t of stepOrder(T, attrs.reverse).reverse()) {
    const dz = dZ.subarray(t * B * G, (t + 1) * B * G);
    const dhu = dHU.subarray(t * B * G, (t + 1) * B * G);
    for (let b = 0; b < B; b++) {
      const real = v.mask[b * T + t] !== 0;
      const e = emitted[t * B + b] === 1;
      const go = (t * B + b) * W;
      const so = (t * B + b) * H;
      for (let j = 0; j < H; j++) {
        const total = flush(dh[b * H + j] as number) + (e ? (v.dys[(b * T + t) * H + j] as number) : 0);
        if (!real) {
          dh[b * H + j] = total; // padded: the gradient passes straight to the step before
          continue;
        }
        const z = v.gates[go + j] as number;
        const r = v.gates[go + H + j] as number;
        const cand = v.gates[go + 2 * H + j] as number;
        const prev = hPrevAll[so + j] as number;
        const dzPre = sigma(total * (prev - cand), z);
        const dCandPre = act(total * (1 - z), cand);
        dz[b * G + j] = dzPre;
        dz[b * G + 2 * H + j] = dCandPre;
        if (attrs.resetAfter) {
          const drPre = sigma(dCandPre * (v.gates[go + 3 * H + j] as number), r);
          dz[b * G + H + j] = drPre;
          dhu[b * G + j] = dzPre;
          dhu[b * G + H + j] = drPre;
          dhu[b * G + 2 * H + j] = dCandPre * r;
        }
        dh[b * H + j] = total * z;
      }
    }
    if (attrs.resetAfter) {
      gemm({
        transA: false,
        transB: true,
        m: B,
        n: H,
        k: G,
        a: dhu,
        lda: G,
        b: v.recurrentKernel,
        ldb: G,
        beta: 1,
        c: dh,
        ldc: H,
        packedB: packedUt,
      });
    } else {
      // d(r⊙h) = dCandidate·U_hᵀ, then the reset gate and h share it.
      gemm({
        transA: false,
        transB: true,
        m: B,
        n: H,
        k: H,
        a: dz,
        aOffset: 2 * H,
        lda: G,
        b: v.recurrentKernel,
        bOffset: 2 * H,
        ldb: G,
        c: dResetH,
        ldc: H,
      });
      for (let b = 0; b < B; b++) {
        if (v.mask[b * T + t] === 0) continue;
        const go = (t * B + b) * W;
        const so = (t * B + b) * H;
        for (let j = 0; j < H; j++) {
          const r = v.gates[go + H + j] as number;
          const dr = dResetH[b * H + j] as number;
          dz[b * G + H + j] = sigma(dr * (hPrevAll[so + j] as number), r);
          dh[b * H + j] = (dh[b * H + j] as number) + dr * r;
        }
      }
      gemm({
        transA: false,
        transB: true,
        m: B,
        n: H,
        k: 2 * H,
        a: dz,
        lda: G,
        b: v.recurrentKernel,
        ldb: G,
        beta: 1,
        c: dh,
        ldc: H,
      });
    }
  }
  const { dx, dKernel, dBias: dInputBias } = projectionGradients(v.x, v.kernel, dZ, d, G, attrs);
  const dRecurrentKernel = new Float32Array(H * G);
  let dBias = dInputBias;
  if (attrs.resetAfter) {
    gemm({
      transA: true,
      transB: false,
      m: H,
      n: G,
      k: T * B,
      a: hPrevAll,
      lda: H,
      b: dHU,
      ldb: G,
      c: dRecurrentKernel,
      ldc: G,
    });
    if (v.biasRows === 2) {
      dBias = new Float32Array(2 * G);
      dBias.set(dInputBias, 0);
      dBias.set(columnSums(dHU, T * B, G), G);
    }
  } else {
    gemm({
      transA: true,
      transB: false,
      m: H,
      n: 2 * H,
      k: T * B,
      a: hPrevAll,
      lda: H,
      b: dZ,
      ldb: G,
      c: dRecurrentKernel,
      ldc: G,
    });
    const resetH = new Float32Array(T * B * H);
    for (let row = 0; row < T * B; row++) {
      for (let j = 0; j < H; j++)
        resetH[row * H + j] = (v.gates[row * W + H + j] as number) * (hPrevAll[row * H + j] as number);
    }
    gemm({
      transA: true,
      transB: false,
      m: H,
      n: H,
      k: T * B,
      a: resetH,
      lda: H,
      b: dZ,
      bOffset: 2 * H,
      ldb: G,
      c: dRecurrentKernel,
      cOffset: 2 * H,
      ldc: G,
    });
  }
  return { dx, dKernel, dRecurrentKernel, dBias, dh0: dh };
}
