/**
 * The backward pass through time of `RecurGruSequence` (asm/gru.ts has the forward and
 * the equations): gate gradients step by step, one or two recurrent products per step,
 * the weight gradients as large products at the end.
 */
import { backprop } from './activation';
import {
  columnSums,
  emitted,
  firstRealSteps,
  flush,
  isReal,
  ld,
  previousStates,
  rowPtr,
  st,
  timeAt,
  toBatchMajor,
  toTimeMajor,
} from './common';
import { gemm, gemmPacked, gemmWorkBytes, packB, packedBBytes } from './gemm';
import { next } from './scratch';

export function gruBackwardScratch(batch: i32, time: i32, input: i32, units: i32, resetAfter: bool): i32 {
  const rows = time * batch;
  const G = 3 * units;
  let p = next(0, rows * G * 4);
  p = next(p, resetAfter ? rows * G * 4 : 0);
  p = next(p, rows * input * 4);
  p = next(p, rows * input * 4);
  p = next(p, rows * units * 4);
  p = next(p, resetAfter ? 0 : rows * units * 4);
  p = next(p, packedBBytes(resetAfter ? G : 2 * units, units));
  p = next(p, resetAfter ? 0 : packedBBytes(units, units));
  p = next(p, batch * units * 4);
  p = next(p, batch * 4);
  return <i32>next(p, gemmWorkBytes(max(G, input)));
}

export function gruBackward(
  batch: i32,
  time: i32,
  input: i32,
  units: i32,
  x: usize,
  kernel: usize,
  recurrentKernel: usize,
  biasRows: i32,
  h0: usize,
  mask: usize,
  gates: usize,
  hs: usize,
  dys: usize,
  dhT: usize,
  act: i32,
  sigma: i32,
  reverse: bool,
  zeros: bool,
  skipDx: bool,
  resetAfter: bool,
  dx: usize,
  dKernel: usize,
  dRecurrentKernel: usize,
  dBias: usize,
  dh0: usize,
  scratch: usize,
): void {
  const G = 3 * units;
  const W = resetAfter ? 4 * units : G;
  const rows = time * batch;
  // dZ: gradient of the input-side pre-activations (x·W + b_x); dHU: of the recurrent
  // side (h·U + b_hh), which differs from dZ in the candidate block.
  const dZ = scratch;
  const dHU = next(dZ, rows * G * 4);
  const xTm = next(dHU, resetAfter ? rows * G * 4 : 0);
  const dxTm = next(xTm, rows * input * 4);
  const hPrevAll = next(dxTm, rows * input * 4);
  const resetH = next(hPrevAll, rows * units * 4);
  const packedUT = next(resetH, resetAfter ? 0 : rows * units * 4);
  const packedUhT = next(packedUT, packedBBytes(resetAfter ? G : 2 * units, units));
  const dResetH = next(packedUhT, resetAfter ? 0 : packedBBytes(units, units));
  const firstReal = next(dResetH, batch * units * 4);
  const work = next(firstReal, batch * 4);

  memory.copy(dh0, dhT, <usize>(batch * units) * 4);
  firstRealSteps(mask, batch, time, reverse, firstReal);
  if (resetAfter) {
    packB(true, G, units, recurrentKernel, G, packedUT);
  } else {
    packB(true, 2 * units, units, recurrentKernel, G, packedUT);
    packB(true, units, units, recurrentKernel + <usize>(2 * units) * 4, G, packedUhT);
  }
  previousStates(hs, h0, batch, time, units, reverse, hPrevAll);
  const block = <usize>units * 4;
  for (let s = time - 1; s >= 0; s--) {
    const t = timeAt(s, time, reverse);
    const dz = rowPtr(dZ, t * batch, G);
    const dhu = rowPtr(dHU, t * batch, G);
    for (let b = 0; b < batch; b++) {
      const real = isReal(mask, b, t, time);
      const e = emitted(firstReal, b, s, real, zeros);
      const dyr = rowPtr(dys, b * time + t, units);
      const dhr = rowPtr(dh0, b, units);
      const gr = rowPtr(gates, t * batch + b, W);
      const pr = rowPtr(hPrevAll, t * batch + b, units);
      const dzr = rowPtr(dz, b, G);
      const dhur = rowPtr(dhu, b, G);
      for (let j = 0; j < units; ) {
        const full = j + 4 <= units;
        const o = <usize>j * 4;
        let total = flush(ld(dhr + o, full));
        if (e) total = f32x4.add(total, ld(dyr + o, full));
        if (real) {
          const z = ld(gr + o, full);
          const candidate = ld(gr + 2 * block + o, full);
          const dzPre = backprop(sigma, f32x4.mul(total, f32x4.sub(ld(pr + o, full), candidate)), z);
          const dCandidate = backprop(act, f32x4.mul(total, f32x4.sub(f32x4.splat(1), z)), candidate);
          st(dzr + o, dzPre, full);
          st(dzr + 2 * block + o, dCandidate, full);
          if (resetAfter) {
            const r = ld(gr + block + o, full);
            const drPre = backprop(sigma, f32x4.mul(dCandidate, ld(gr + 3 * block + o, full)), r);
            st(dzr + block + o, drPre, full);
            st(dhur + o, dzPre, full);
            st(dhur + block + o, drPre, full);
            st(dhur + 2 * block + o, f32x4.mul(dCandidate, r), full);
          }
          st(dhr + o, f32x4.mul(total, z), full);
        } else {
          // A padded step passes the gradient straight to the step before.
          st(dhr + o, total, full);
        }
        j += full ? 4 : 1;
      }
      if (!real) {
        memory.fill(dzr, 0, <usize>G * 4);
        if (resetAfter) memory.fill(dhur, 0, <usize>G * 4);
      }
    }
    if (resetAfter) {
      gemmPacked(false, batch, units, G, dhu, G, packedUT, dh0, units, true, work);
    } else {
      // d(r⊙h) = dCandidate·U_hᵀ, shared by the reset gate and h.
      gemmPacked(false, batch, units, units, dz + 2 * block, G, packedUhT, dResetH, units, false, work);
      for (let b = 0; b < batch; b++) {
        if (!isReal(mask, b, t, time)) continue;
        const gr = rowPtr(gates, t * batch + b, W);
        const pr = rowPtr(hPrevAll, t * batch + b, units);
        const drr = rowPtr(dResetH, b, units);
        const dzr = rowPtr(dz, b, G);
        const dhr = rowPtr(dh0, b, units);
        for (let j = 0; j < units; ) {
          const full = j + 4 <= units;
          const o = <usize>j * 4;
          const r = ld(gr + block + o, full);
          const dr = ld(drr + o, full);
          st(dzr + block + o, backprop(sigma, f32x4.mul(dr, ld(pr + o, full)), r), full);
          st(dhr + o, f32x4.add(ld(dhr + o, full), f32x4.mul(dr, r)), full);
          j += full ? 4 : 1;
        }
      }
      gemmPacked(false, batch, units, 2 * units, dz, G, packedUT, dh0, units, true, work);
    }
  }
  toTimeMajor(x, batch, time, input, xTm);
  // dX only where core asked for it (skipGradients: x is the model's input data otherwise).
  if (skipDx) memory.fill(dx, 0, <usize>(rows * input) * 4);
  else {
    gemm(false, true, rows, input, G, dZ, G, kernel, G, dxTm, input, false, work);
    toBatchMajor(dxTm, batch, time, input, dx);
  }
  gemm(true, false, input, G, rows, xTm, input, dZ, G, dKernel, G, false, work);
  columnSums(dZ, rows, G, G, dBias);
  if (biasRows === 2) {
    // Without resetAfter the recurrent bias row is unused: its gradient is zero.
    if (resetAfter) columnSums(dHU, rows, G, G, dBias + <usize>G * 4);
    else memory.fill(dBias + <usize>G * 4, 0, <usize>G * 4);
  }
  if (resetAfter) {
    gemm(true, false, units, G, rows, hPrevAll, units, dHU, G, dRecurrentKernel, G, false, work);
  } else {
    // U_zr sees h, U_h sees r⊙h.
    gemm(true, false, units, 2 * units, rows, hPrevAll, units, dZ, G, dRecurrentKernel, G, false, work);
    for (let row = 0; row < rows; row++) {
      const rr = rowPtr(gates, row, W) + block;
      const pr = rowPtr(hPrevAll, row, units);
      const out = rowPtr(resetH, row, units);
      for (let j = 0; j < units; ) {
        const full = j + 4 <= units;
        const o = <usize>j * 4;
        st(out + o, f32x4.mul(ld(rr + o, full), ld(pr + o, full)), full);
        j += full ? 4 : 1;
      }
    }
    gemm(
      true,
      false,
      units,
      units,
      rows,
      resetH,
      units,
      dZ + 2 * block,
      G,
      dRecurrentKernel + 2 * block,
      G,
      false,
      work,
    );
  }
}
