/**
 * Fused `RecurGruSequence` and its backward pass, both variants (core's
 * `kernels/gru-sequence.ts` is the oracle). Cho et al. (2014), gates z, r, h (Keras
 * order), h′ = z⊙h + (1−z)⊙h̃ with
 *   resetAfter false (tfjs-layers): h̃ = act(x·W_h + b_h + (r⊙h)·U_h)
 *   resetAfter true (Keras, cuDNN): h̃ = act(x·W_h + b_xh + r⊙(h·U_h + b_hh)).
 * The gates workspace is `[T,B,3H]`, or `[T,B,4H]` with h·U_h + b_hh as the fourth block.
 */
import { activateRange } from './activation';
import { emitOutputs, fillRows, isReal, ld, previousState, rowPtr, st, timeAt, toTimeMajor } from './common';
import { gemm, gemmPacked, gemmWorkBytes, packB, packedBBytes } from './gemm';
import { next } from './scratch';

export function gruForwardScratch(batch: i32, time: i32, input: i32, units: i32, resetAfter: bool): i32 {
  let p = next(0, time * batch * input * 4);
  p = next(p, packedBBytes(units, (resetAfter ? 3 : 2) * units));
  p = next(p, resetAfter ? 0 : packedBBytes(units, units));
  p = next(p, batch * 3 * units * 4);
  p = next(p, batch * units * 4);
  p = next(p, batch * units * 4);
  return <i32>next(p, gemmWorkBytes(3 * units));
}

export function gruForward(
  batch: i32,
  time: i32,
  input: i32,
  units: i32,
  x: usize,
  kernel: usize,
  recurrentKernel: usize,
  bias: usize,
  biasRows: i32,
  h0: usize,
  mask: usize,
  act: i32,
  sigma: i32,
  reverse: bool,
  zeros: bool,
  resetAfter: bool,
  ys: usize,
  hT: usize,
  gates: usize,
  hs: usize,
  scratch: usize,
): void {
  const G = 3 * units;
  const W = resetAfter ? 4 * units : G;
  const rows = time * batch;
  const xTm = scratch;
  const packedU = next(xTm, rows * input * 4);
  const packedUh = next(packedU, packedBBytes(units, (resetAfter ? 3 : 2) * units));
  const hu = next(packedUh, resetAfter ? 0 : packedBBytes(units, units));
  const rh = next(hu, batch * G * 4);
  const uh = next(rh, batch * units * 4);
  const work = next(uh, batch * units * 4);

  toTimeMajor(x, batch, time, input, xTm);
  fillRows(bias, G, rows, gates, W);
  gemm(false, false, rows, G, input, xTm, input, kernel, G, gates, W, true, work);
  if (resetAfter) {
    packB(false, units, G, recurrentKernel, G, packedU);
  } else {
    // Only the z and r blocks see h directly; the candidate block sees r⊙h.
    packB(false, units, 2 * units, recurrentKernel, G, packedU);
    packB(false, units, units, recurrentKernel + <usize>(2 * units) * 4, G, packedUh);
  }
  const block = <usize>units * 4;
  for (let s = 0; s < time; s++) {
    const t = timeAt(s, time, reverse);
    const hPrev = previousState(hs, h0, s, time, batch, units, reverse);
    const gt = rowPtr(gates, t * batch, W);
    if (resetAfter) {
      if (biasRows === 2) fillRows(bias + <usize>G * 4, G, batch, hu, G);
      else memory.fill(hu, 0, <usize>(batch * G) * 4);
      gemmPacked(false, batch, G, units, hPrev, units, packedU, hu, G, true, work);
    } else {
      gemmPacked(false, batch, 2 * units, units, hPrev, units, packedU, hu, G, false, work);
    }
    for (let b = 0; b < batch; b++) {
      const gr = rowPtr(gt, b, W);
      const hur = rowPtr(hu, b, G);
      for (let j = 0; j < 2 * units; ) {
        const full = j + 4 <= 2 * units;
        const o = <usize>j * 4;
        st(gr + o, f32x4.add(ld(gr + o, full), ld(hur + o, full)), full);
        j += full ? 4 : 1;
      }
      activateRange(sigma, gr, gr, 2 * units);
      if (resetAfter) continue;
      const hp = rowPtr(hPrev, b, units);
      const rhr = rowPtr(rh, b, units);
      for (let j = 0; j < units; ) {
        const full = j + 4 <= units;
        const o = <usize>j * 4;
        st(rhr + o, f32x4.mul(ld(gr + block + o, full), ld(hp + o, full)), full);
        j += full ? 4 : 1;
      }
    }
    if (!resetAfter) gemmPacked(false, batch, units, units, rh, units, packedUh, uh, units, false, work);
    for (let b = 0; b < batch; b++) {
      const gr = rowPtr(gt, b, W);
      const hur = rowPtr(hu, b, G);
      const uhr = rowPtr(uh, b, units);
      for (let j = 0; j < units; ) {
        const full = j + 4 <= units;
        const o = <usize>j * 4;
        let recurrent: v128;
        if (resetAfter) {
          const huh = ld(hur + 2 * block + o, full);
          st(gr + 3 * block + o, huh, full);
          recurrent = f32x4.mul(ld(gr + block + o, full), huh);
        } else {
          recurrent = ld(uhr + o, full);
        }
        st(gr + 2 * block + o, f32x4.add(ld(gr + 2 * block + o, full), recurrent), full);
        j += full ? 4 : 1;
      }
      activateRange(act, gr + 2 * block, gr + 2 * block, units);
      const hp = rowPtr(hPrev, b, units);
      const ho = rowPtr(hs, t * batch + b, units);
      if (!isReal(mask, b, t, time)) {
        memory.copy(ho, hp, block);
        continue;
      }
      for (let j = 0; j < units; ) {
        const full = j + 4 <= units;
        const o = <usize>j * 4;
        const z = ld(gr + o, full);
        const candidate = ld(gr + 2 * block + o, full);
        const prev = ld(hp + o, full);
        st(ho + o, f32x4.add(f32x4.mul(z, prev), f32x4.mul(f32x4.sub(f32x4.splat(1), z), candidate)), full);
        j += full ? 4 : 1;
      }
    }
  }
  memory.copy(hT, previousState(hs, h0, time, time, batch, units, reverse), <usize>(batch * units) * 4);
  emitOutputs(hs, mask, batch, time, units, reverse, zeros, ys);
}
