/**
 * Fused `RecurElmanSequence` and its backward pass (core's `kernels/elman-sequence.ts`
 * is the oracle). Elman (1990): h_t = act(x_t·W + h_{t−1}·U + b). The input projection
 * of all steps is written straight into the states workspace, which each step then
 * completes in place.
 */
import { activateRange, backprop } from './activation';
import {
  columnSums,
  emitOutputs,
  emitted,
  fillRows,
  firstRealSteps,
  flush,
  isReal,
  ld,
  previousState,
  previousStates,
  rowPtr,
  st,
  timeAt,
  toBatchMajor,
  toTimeMajor,
} from './common';
import { gemm, gemmPacked, gemmWorkBytes, packB, packedBBytes } from './gemm';
import { next } from './scratch';

export function elmanForwardScratch(batch: i32, time: i32, input: i32, units: i32): i32 {
  let p = next(0, time * batch * input * 4);
  p = next(p, packedBBytes(units, units));
  return <i32>next(p, gemmWorkBytes(units));
}

export function elmanForward(
  batch: i32,
  time: i32,
  input: i32,
  units: i32,
  x: usize,
  kernel: usize,
  recurrentKernel: usize,
  bias: usize,
  h0: usize,
  mask: usize,
  act: i32,
  reverse: bool,
  zeros: bool,
  ys: usize,
  hT: usize,
  hs: usize,
  scratch: usize,
): void {
  const rows = time * batch;
  const xTm = scratch;
  const packedU = next(xTm, rows * input * 4);
  const work = next(packedU, packedBBytes(units, units));

  toTimeMajor(x, batch, time, input, xTm);
  fillRows(bias, units, rows, hs, units);
  gemm(false, false, rows, units, input, xTm, input, kernel, units, hs, units, true, work);
  packB(false, units, units, recurrentKernel, units, packedU);
  for (let s = 0; s < time; s++) {
    const t = timeAt(s, time, reverse);
    const hPrev = previousState(hs, h0, s, time, batch, units, reverse);
    const z = rowPtr(hs, t * batch, units);
    gemmPacked(false, batch, units, units, hPrev, units, packedU, z, units, true, work);
    for (let b = 0; b < batch; b++) {
      const zr = rowPtr(z, b, units);
      if (!isReal(mask, b, t, time)) {
        memory.copy(zr, rowPtr(hPrev, b, units), <usize>units * 4);
      } else {
        activateRange(act, zr, zr, units);
      }
    }
  }
  memory.copy(hT, previousState(hs, h0, time, time, batch, units, reverse), <usize>(batch * units) * 4);
  emitOutputs(hs, mask, batch, time, units, reverse, zeros, ys);
}

export function elmanBackwardScratch(batch: i32, time: i32, input: i32, units: i32): i32 {
  const rows = time * batch;
  let p = next(0, rows * units * 4);
  p = next(p, rows * input * 4);
  p = next(p, rows * input * 4);
  p = next(p, rows * units * 4);
  p = next(p, packedBBytes(units, units));
  p = next(p, batch * 4);
  return <i32>next(p, gemmWorkBytes(max(units, input)));
}

export function elmanBackward(
  batch: i32,
  time: i32,
  input: i32,
  units: i32,
  x: usize,
  kernel: usize,
  recurrentKernel: usize,
  h0: usize,
  mask: usize,
  hs: usize,
  dys: usize,
  dhT: usize,
  act: i32,
  reverse: bool,
  zeros: bool,
  skipDx: bool,
  dx: usize,
  dKernel: usize,
  dRecurrentKernel: usize,
  dBias: usize,
  dh0: usize,
  scratch: usize,
): void {
  const rows = time * batch;
  const dZ = scratch;
  const xTm = next(dZ, rows * units * 4);
  const dxTm = next(xTm, rows * input * 4);
  const hPrevAll = next(dxTm, rows * input * 4);
  const packedUT = next(hPrevAll, rows * units * 4);
  const firstReal = next(packedUT, packedBBytes(units, units));
  const work = next(firstReal, batch * 4);

  memory.copy(dh0, dhT, <usize>(batch * units) * 4);
  firstRealSteps(mask, batch, time, reverse, firstReal);
  packB(true, units, units, recurrentKernel, units, packedUT);
  for (let s = time - 1; s >= 0; s--) {
    const t = timeAt(s, time, reverse);
    const dz = rowPtr(dZ, t * batch, units);
    for (let b = 0; b < batch; b++) {
      const real = isReal(mask, b, t, time);
      const e = emitted(firstReal, b, s, real, zeros);
      const dyr = rowPtr(dys, b * time + t, units);
      const dhr = rowPtr(dh0, b, units);
      // At real steps the state is the activation's output, which is all its derivative needs.
      const hr = rowPtr(hs, t * batch + b, units);
      const dzr = rowPtr(dz, b, units);
      for (let j = 0; j < units; ) {
        const full = j + 4 <= units;
        const o = <usize>j * 4;
        let total = flush(ld(dhr + o, full));
        if (e) total = f32x4.add(total, ld(dyr + o, full));
        if (real) {
          st(dzr + o, backprop(act, total, ld(hr + o, full)), full);
          st(dhr + o, f32x4.splat(0), full);
        } else {
          st(dzr + o, f32x4.splat(0), full);
          st(dhr + o, total, full);
        }
        j += full ? 4 : 1;
      }
    }
    gemmPacked(false, batch, units, units, dz, units, packedUT, dh0, units, true, work);
  }
  toTimeMajor(x, batch, time, input, xTm);
  // dX only where core asked for it (skipGradients: x is the model's input data otherwise).
  if (skipDx) memory.fill(dx, 0, <usize>(rows * input) * 4);
  else {
    gemm(false, true, rows, input, units, dZ, units, kernel, units, dxTm, input, false, work);
    toBatchMajor(dxTm, batch, time, input, dx);
  }
  gemm(true, false, input, units, rows, xTm, input, dZ, units, dKernel, units, false, work);
  previousStates(hs, h0, batch, time, units, reverse, hPrevAll);
  gemm(true, false, units, units, rows, hPrevAll, units, dZ, units, dRecurrentKernel, units, false, work);
  columnSums(dZ, rows, units, units, dBias);
}
