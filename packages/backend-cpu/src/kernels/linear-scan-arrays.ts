/** The linear scan h_t = a_t ⊙ h_{t−1} + b_t and its gradient on plain arrays (linear-scan.ts registers them). */
import type { ScanDims } from './scan-dims.js';
import { timeAt } from './scan-dims.js';

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
