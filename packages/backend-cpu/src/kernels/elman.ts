/** Fused Elman (simple RNN) sequence kernel on the cpu backend: core's reference `RecurElmanSequence` on typed arrays. */
import { gemm, packB } from '../gemm.js';
import { scalarActivation } from './activation.js';
import { flush } from './flush.js';
import type { LstmAttrs } from './lstm.js';
import {
  type BackwardAttrs,
  emitOutputs,
  emittedSteps,
  previousStates,
  projectionGradients,
  type SequenceDims,
  stepOrder,
} from './sequence-common.js';

export interface ElmanArrays {
  readonly x: Float32Array;
  readonly kernel: Float32Array;
  readonly recurrentKernel: Float32Array;
  readonly bias: Float32Array;
  readonly h0: Float32Array;
  readonly mask: Float32Array;
}

export type ElmanAttrs = Omit<LstmAttrs, 'recurrentActivation'>;

export function elmanForward(v: ElmanArrays, d: SequenceDims, attrs: ElmanAttrs) {
  const { batch: B, time: T, input: I, units: H } = d;
  const act = scalarActivation(attrs.activation).f;
  const zx = new Float32Array(B * T * H);
  for (let r = 0; r < B * T; r++) zx.set(v.bias, r * H);
  gemm({
    transA: false,
    transB: false,
    m: B * T,
    n: H,
    k: I,
    a: v.x,
    lda: I,
    b: v.kernel,
    ldb: H,
    beta: 1,
    c: zx,
    ldc: H,
  });
  const hs = new Float32Array(T * B * H);
  const h = Float32Array.from(v.h0);
  const packedU = packB({ transB: false, k: H, n: H }, v.recurrentKernel, 0, H, B);
  for (const t of stepOrder(T, attrs.reverse)) {
    // Z_t += h·U in place: row b of step t is zx's row b·T + t, T·H apart.
    gemm({
      transA: false,
      transB: false,
      m: B,
      n: H,
      k: H,
      a: h,
      lda: H,
      b: v.recurrentKernel,
      ldb: H,
      beta: 1,
      c: zx,
      cOffset: t * H,
      ldc: T * H,
      packedB: packedU,
    });
    for (let b = 0; b < B; b++) {
      if (v.mask[b * T + t] === 0) continue;
      const zo = (b * T + t) * H;
      for (let j = 0; j < H; j++) h[b * H + j] = act(zx[zo + j] as number);
    }
    hs.set(h, t * B * H);
  }
  const ys = emitOutputs(hs, v.mask, d, attrs.maskedOutput, attrs.reverse);
  return { ys, hT: h, hs };
}

export interface ElmanGradArrays extends ElmanArrays {
  readonly hs: Float32Array;
  readonly dys: Float32Array;
  readonly dhT: Float32Array;
}

export function elmanBackward(v: ElmanGradArrays, d: SequenceDims, attrs: ElmanAttrs & BackwardAttrs) {
  const { batch: B, time: T, units: H } = d;
  const act = scalarActivation(attrs.activation).back;
  const emitted = emittedSteps(v.mask, d, attrs.maskedOutput, attrs.reverse);
  const dZ = new Float32Array(T * B * H);
  const dh = Float32Array.from(v.dhT);
  const packedUt = packB({ transB: true, k: H, n: H }, v.recurrentKernel, 0, H, B);
  for (const t of stepOrder(T, attrs.reverse).reverse()) {
    const dz = dZ.subarray(t * B * H, (t + 1) * B * H);
    for (let b = 0; b < B; b++) {
      const real = v.mask[b * T + t] !== 0;
      const e = emitted[t * B + b] === 1;
      for (let j = 0; j < H; j++) {
        const total = flush(dh[b * H + j] as number) + (e ? (v.dys[(b * T + t) * H + j] as number) : 0);
        if (real) {
          dz[b * H + j] = act(total, v.hs[(t * B + b) * H + j] as number);
          dh[b * H + j] = 0;
        } else {
          dh[b * H + j] = total;
        }
      }
    }
    gemm({
      transA: false,
      transB: true,
      m: B,
      n: H,
      k: H,
      a: dz,
      lda: H,
      b: v.recurrentKernel,
      ldb: H,
      beta: 1,
      c: dh,
      ldc: H,
      packedB: packedUt,
    });
  }
  const { dx, dKernel, dBias: dInputBias } = projectionGradients(v.x, v.kernel, dZ, d, H, attrs);
  const dRecurrentKernel = new Float32Array(H * H);
  const hPrevAll = previousStates(v.hs, v.h0, d, attrs.reverse);
  gemm({
    transA: true,
    transB: false,
    m: H,
    n: H,
    k: T * B,
    a: hPrevAll,
    lda: H,
    b: dZ,
    ldb: H,
    c: dRecurrentKernel,
    ldc: H,
  });
  return { dx, dKernel, dRecurrentKernel, dBias: dInputBias, dh0: dh };
}
