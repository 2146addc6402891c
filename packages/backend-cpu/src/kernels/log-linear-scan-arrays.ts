/** The log-space linear scan and its gradient on plain arrays (log-linear-scan.ts registers them). */
import { type ScanDims, timeAt } from './scan-dims.js';

interface LogScanArrays {
  readonly logA: Float32Array;
  readonly logB: Float32Array;
  readonly logH0: Float32Array;
  readonly mask: Float32Array;
}

/** log(eˣ + eʸ), −∞ when both are. */
export function logAddExp(x: number, y: number): number {
  const top = Math.max(x, y);
  return top === -Infinity ? top : top + Math.log1p(Math.exp(-Math.abs(x - y)));
}

export function logLinearScanForward(v: LogScanArrays, d: ScanDims, reverse: boolean) {
  const { batch: B, time: T, features: F } = d;
  const logHs = new Float32Array(B * T * F);
  const logHT = Float32Array.from(v.logH0);
  for (let b = 0; b < B; b++) {
    const logH = logHT.subarray(b * F, (b + 1) * F);
    for (let s = 0; s < T; s++) {
      const t = timeAt(s, T, reverse);
      const o = (b * T + t) * F;
      if (v.mask[b * T + t] !== 0) {
        for (let f = 0; f < F; f++) {
          logH[f] = logAddExp((v.logA[o + f] as number) + (logH[f] as number), v.logB[o + f] as number);
        }
      }
      logHs.set(logH, o);
    }
  }
  return { logHs, logHT };
}

export function logLinearScanBackward(
  v: LogScanArrays & { readonly logHs: Float32Array; readonly dlogHs: Float32Array; readonly dlogHT: Float32Array },
  d: ScanDims,
  reverse: boolean,
) {
  const { batch: B, time: T, features: F } = d;
  const dLogA = new Float32Array(B * T * F);
  const dLogB = new Float32Array(B * T * F);
  const carried = Float32Array.from(v.dlogHT);
  for (let b = 0; b < B; b++) {
    for (let s = T - 1; s >= 0; s--) {
      const t = timeAt(s, T, reverse);
      const o = (b * T + t) * F;
      const previous = s === 0 ? v.logH0.subarray(b * F) : v.logHs.subarray((b * T + timeAt(s - 1, T, reverse)) * F);
      const real = v.mask[b * T + t] !== 0;
      for (let f = 0; f < F; f++) {
        const g = (carried[b * F + f] as number) + (v.dlogHs[o + f] as number);
        if (!real) {
          carried[b * F + f] = g;
          continue;
        }
        const logH = v.logHs[o + f] as number;
        const empty = logH === -Infinity;
        const w = empty ? 0 : Math.exp((v.logA[o + f] as number) + (previous[f] as number) - logH);
        dLogA[o + f] = g * w;
        dLogB[o + f] = empty ? 0 : g * Math.exp((v.logB[o + f] as number) - logH);
        carried[b * F + f] = g * w;
      }
    }
  }
  return { dLogA, dLogB, dLogH0: carried };
}
