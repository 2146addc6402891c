/**
 * Fused `RecurLstmSequence` and its backward pass (core's `kernels/lstm-sequence.ts`
 * has the contract and the oracle). Hochreiter & Schmidhuber (1997) with
 * the forget gate of Gers et al. (2000): z = x·W + h·U + b; i, f, o = σ(z_i, z_f, z_o);
 * g = act(z_c); c′ = f⊙c + i⊙g; h′ = o⊙act(c′).
 * The input projection of all steps is one product written straight into the gates
 * workspace; each step adds h·U there and applies the gates in place.
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

export function lstmForwardScratch(batch: i32, time: i32, input: i32, units: i32): i32 {
  let p = next(0, time * batch * input * 4);
  p = next(p, packedBBytes(units, 4 * units));
  return <i32>next(p, gemmWorkBytes(4 * units));
}

export function lstmForward(
  batch: i32,
  time: i32,
  input: i32,
  units: i32,
  x: usize,
  kernel: usize,
  recurrentKernel: usize,
  bias: usize,
  h0: usize,
  c0: usize,
  mask: usize,
  act: i32,
  sigma: i32,
  reverse: bool,
  zeros: bool,
  ys: usize,
  hT: usize,
  cT: usize,
  gates: usize,
  hs: usize,
  cs: usize,
  scratch: usize,
): void {
  const G = 4 * units;
  const rows = time * batch;
  const xTm = scratch;
  const packedU = next(xTm, time * batch * input * 4);
  const work = next(packedU, packedBBytes(units, G));

  toTimeMajor(x, batch, time, input, xTm);
  fillRows(bias, G, rows, gates, G);
  gemm(false, false, rows, G, input, xTm, input, kernel, G, gates, G, true, work);
  packB(false, units, G, recurrentKernel, G, packedU);
  const block = <usize>units * 4;
  for (let s = 0; s < time; s++) {
    const t = timeAt(s, time, reverse);
    const hPrev = previousState(hs, h0, s, time, batch, units, reverse);
    const cPrev = previousState(cs, c0, s, time, batch, units, reverse);
    const z = rowPtr(gates, t * batch, G);
    gemmPacked(false, batch, G, units, hPrev, units, packedU, z, G, true, work);
    for (let b = 0; b < batch; b++) {
      const zr = rowPtr(z, b, G);
      activateRange(sigma, zr, zr, 2 * units);
      activateRange(act, zr + 2 * block, zr + 2 * block, units);
      activateRange(sigma, zr + 3 * block, zr + 3 * block, units);
      const hp = rowPtr(hPrev, b, units);
      const cp = rowPtr(cPrev, b, units);
      const ho = rowPtr(hs, t * batch + b, units);
      const co = rowPtr(cs, t * batch + b, units);
      if (!isReal(mask, b, t, time)) {
        memory.copy(co, cp, block);
        memory.copy(ho, hp, block);
        continue;
      }
      for (let j = 0; j < units; ) {
        const full = j + 4 <= units;
        const o = <usize>j * 4;
        const i = ld(zr + o, full);
        const f = ld(zr + block + o, full);
        const g = ld(zr + 2 * block + o, full);
        st(co + o, f32x4.add(f32x4.mul(f, ld(cp + o, full)), f32x4.mul(i, g)), full);
        j += full ? 4 : 1;
      }
      activateRange(act, co, ho, units);
      for (let j = 0; j < units; ) {
        const full = j + 4 <= units;
        const o = <usize>j * 4;
        st(ho + o, f32x4.mul(ld(zr + 3 * block + o, full), ld(ho + o, full)), full);
        j += full ? 4 : 1;
      }
    }
  }
  const stateBytes = <usize>(batch * units) * 4;
  memory.copy(hT, previousState(hs, h0, time, time, batch, units, reverse), stateBytes);
  memory.copy(cT, previousState(cs, c0, time, time, batch, units, reverse), stateBytes);
  emitOutputs(hs, mask, batch, time, units, reverse, zeros, ys);
}

export function lstmBackwardScratch(batch: i32, time: i32, input: i32, units: i32): i32 {
  const rows = time * batch;
  let p = next(0, rows * 4 * units * 4);
  p = next(p, rows * input * 4);
  p = next(p, rows * input * 4);
  p = next(p, rows * units * 4);
  p = next(p, packedBBytes(4 * units, units));
  p = next(p, batch * 4);
  p = next(p, units * 4);
  return <i32>next(p, gemmWorkBytes(max(4 * units, input)));
}

export function lstmBackward(
  batch: i32,
  time: i32,
  input: i32,
  units: i32,
  x: usize,
  kernel: usize,
  recurrentKernel: usize,
  h0: usize,
  c0: usize,
  mask: usize,
  gates: usize,
  hs: usize,
  cs: usize,
  dys: usize,
  dhT: usize,
  dcT: usize,
  act: i32,
  sigma: i32,
  reverse: bool,
  zeros: bool,
  skipDx: bool,
  dx: usize,
  dKernel: usize,
  dRecurrentKernel: usize,
  dBias: usize,
  dh0: usize,
  dc0: usize,
  scratch: usize,
): void {
  const G = 4 * units;
  const rows = time * batch;
  const dZ = scratch;
  const xTm = next(dZ, rows * G * 4);
  const dxTm = next(xTm, rows * input * 4);
  const hPrevAll = next(dxTm, rows * input * 4);
  const packedUT = next(hPrevAll, rows * units * 4);
  const firstReal = next(packedUT, packedBBytes(G, units));
  const actC = next(firstReal, batch * 4);
  const work = next(actC, units * 4);

  // dh and dc are carried backwards in the dh0 / dc0 outputs.
  const stateBytes = <usize>(batch * units) * 4;
  memory.copy(dh0, dhT, stateBytes);
  memory.copy(dc0, dcT, stateBytes);
  firstRealSteps(mask, batch, time, reverse, firstReal);
  packB(true, G, units, recurrentKernel, G, packedUT);
  const block = <usize>units * 4;
  for (let s = time - 1; s >= 0; s--) {
    const t = timeAt(s, time, reverse);
    const cPrev = previousState(cs, c0, s, time, batch, units, reverse);
    const dz = rowPtr(dZ, t * batch, G);
    for (let b = 0; b < batch; b++) {
      const real = isReal(mask, b, t, time);
      const e = emitted(firstReal, b, s, real, zeros);
      const dyr = rowPtr(dys, b * time + t, units);
      const dhr = rowPtr(dh0, b, units);
      const dcr = rowPtr(dc0, b, units);
      const gr = rowPtr(gates, t * batch + b, G);
      const cr = rowPtr(cs, t * batch + b, units);
      const cpr = rowPtr(cPrev, b, units);
      const dzr = rowPtr(dz, b, G);
      // At real steps cs holds c′, so act(c′) is recomputed from it.
      if (real) activateRange(act, cr, actC, units);
      for (let j = 0; j < units; ) {
        const full = j + 4 <= units;
        const o = <usize>j * 4;
        let total = flush(ld(dhr + o, full));
        if (e) total = f32x4.add(total, ld(dyr + o, full));
        if (real) {
          const i = ld(gr + o, full);
          const f = ld(gr + block + o, full);
          const g = ld(gr + 2 * block + o, full);
          const og = ld(gr + 3 * block + o, full);
          const a = ld(actC + o, full);
          const dc = f32x4.add(flush(ld(dcr + o, full)), backprop(act, f32x4.mul(total, og), a));
          st(dzr + o, backprop(sigma, f32x4.mul(dc, g), i), full);
          st(dzr + block + o, backprop(sigma, f32x4.mul(dc, ld(cpr + o, full)), f), full);
          st(dzr + 2 * block + o, backprop(act, f32x4.mul(dc, i), g), full);
          st(dzr + 3 * block + o, backprop(sigma, f32x4.mul(total, a), og), full);
          st(dcr + o, f32x4.mul(dc, f), full);
          st(dhr + o, f32x4.splat(0), full);
        } else {
          // A padded step passes its state through: the gradient goes straight to the step before.
          st(dhr + o, total, full);
        }
        j += full ? 4 : 1;
      }
      if (!real) memory.fill(dzr, 0, <usize>G * 4);
    }
    // dh_{t−1} += dZ_t·Uᵀ.
    gemmPacked(false, batch, units, G, dz, G, packedUT, dh0, units, true, work);
  }
  toTimeMajor(x, batch, time, input, xTm);
  // dX only where core asked for it (skipGradients: x is the model's input data otherwise).
  if (skipDx) memory.fill(dx, 0, <usize>(rows * input) * 4);
  else {
    gemm(false, true, rows, input, G, dZ, G, kernel, G, dxTm, input, false, work);
    toBatchMajor(dxTm, batch, time, input, dx);
  }
  gemm(true, false, input, G, rows, xTm, input, dZ, G, dKernel, G, false, work);
  previousStates(hs, h0, batch, time, units, reverse, hPrevAll);
  gemm(true, false, units, G, rows, hPrevAll, units, dZ, G, dRecurrentKernel, G, false, work);
  columnSums(dZ, rows, G, G, dBias);
}
