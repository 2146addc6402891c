/**
 * `linearScan` (core's `RecurLinearScan`, h_t = a_t ⊙ h_{t−1} + b_t) fused on the cpu
 * backend: sequential in time, a plain loop over each row's features, a few flops per
 * element per step (the log-depth form of the reference does log₂ T times more work).
 */
import { linearScan, RecurLinearScan, RecurLinearScanGrad } from '@recur/core';
import { fusedKernel } from '@recur/core/kernel-api';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { arraysOf, outputsOn } from './arrays.js';
import { type ScanDims, scanDims, timeAt } from './scan-dims.js';

interface ScanArrays {
  readonly a: Float32Array;
  readonly b: Float32Array;
  readonly h0: Float32Array;
  readonly mask: Float32Array;
}

export function linearScanForward(v: ScanArrays, d: ScanDims, reverse: boolean) {
  const { batch: B, time: T, features: F } = d;
  const hs = new Float32Array(B * T * F);
  const hT = Float32Array.from(v.h0);
  for (let b = 0; b < B; b++) {
    const h = hT.subarray(b * F, (b + 1) * F);
    for (let s = 0; s < T; s++) {
      const t = timeAt(s, T, reverse);
      const o = (b * T + t) * F;
      if (v.mask[b * T + t] !== 0) {
        for (let f = 0; f < F; f++) h[f] = (v.a[o + f] as number) * (h[f] as number) + (v.b[o + f] as number);
      }
      hs.set(h, o);
    }
  }
  return { hs, hT };
}

/** g_t = dh_t + a_{t+1} g_{t+1}; da_t = g_t h_{t−1}, db_t = g_t at real steps; dh0 = a_1 g_1. */
export function linearScanBackward(
  v: ScanArrays & { readonly hs: Float32Array; readonly dhs: Float32Array; readonly dhT: Float32Array },
  d: ScanDims,
  reverse: boolean,
) {
  const { batch: B, time: T, features: F } = d;
  const da = new Float32Array(B * T * F);
  const db = new Float32Array(B * T * F);
  // The gradient reaching each row's state from later steps; dh0 once every step is done.
  const carried = Float32Array.from(v.dhT);
  for (let b = 0; b < B; b++) {
    for (let s = T - 1; s >= 0; s--) {
      const t = timeAt(s, T, reverse);
      const o = (b * T + t) * F;
      const previous = s === 0 ? v.h0.subarray(b * F) : v.hs.subarray((b * T + timeAt(s - 1, T, reverse)) * F);
      const real = v.mask[b * T + t] !== 0;
      for (let f = 0; f < F; f++) {
        const g = (carried[b * F + f] as number) + (v.dhs[o + f] as number);
        if (real) {
          db[o + f] = g;
          da[o + f] = g * (previous[f] as number);
          carried[b * F + f] = (v.a[o + f] as number) * g;
        } else {
          carried[b * F + f] = g;
        }
      }
    }
  }
  return { da, db, dh0: carried };
}

export const linearScanCpu = fusedKernel(linearScan, 'cpu', {
  forward(inputs, attrs, backend: MathBackendCPU) {
    const d = scanDims(inputs.a);
    const out = linearScanForward(arraysOf(RecurLinearScan, backend, inputs), d, attrs.reverse);
    const make = outputsOn(backend);
    return { hs: make([...inputs.a.shape], out.hs), hT: make(d.stateShape, out.hT) };
  },
  backward(inputs, attrs, backend: MathBackendCPU) {
    const d = scanDims(inputs.a);
    const g = linearScanBackward(arraysOf(RecurLinearScanGrad, backend, inputs), d, attrs.reverse);
    const make = outputsOn(backend);
    return { a: make([...inputs.a.shape], g.da), b: make([...inputs.a.shape], g.db), h0: make(d.stateShape, g.dh0) };
  },
});
