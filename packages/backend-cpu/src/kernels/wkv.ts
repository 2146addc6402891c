/** RWKV-4's WKV recurrence and its gradient on plain arrays (wkv-sequence.ts registers them; equations in core's kernels/wkv-sequence.ts). */
import { timeAt } from './scan-dims.js';

export interface WkvDims {
  readonly batch: number;
  readonly time: number;
  readonly channels: number;
}

interface WkvArrays {
  readonly k: Float32Array;
  readonly v: Float32Array;
  readonly w: Float32Array;
  readonly u: Float32Array;
  readonly num0: Float32Array;
  readonly den0: Float32Array;
  readonly max0: Float32Array;
  readonly mask: Float32Array;
}

export function wkvForward(x: WkvArrays, d: WkvDims, reverse: boolean) {
  const { batch: B, time: T, channels: C } = d;
  const wkv = new Float32Array(B * T * C);
  const [nums, dens, maxs] = [new Float32Array(B * T * C), new Float32Array(B * T * C), new Float32Array(B * T * C)];
  const [num, den, max] = [Float32Array.from(x.num0), Float32Array.from(x.den0), Float32Array.from(x.max0)];
  for (let b = 0; b < B; b++) {
    for (let s = 0; s < T; s++) {
      const t = timeAt(s, T, reverse);
      const o = (b * T + t) * C;
      if (x.mask[b * T + t] !== 0) {
        for (let c = 0; c < C; c++) {
          const i = b * C + c;
          const [k, v, p] = [x.k[o + c] as number, x.v[o + c] as number, max[i] as number];
          const uk = (x.u[c] as number) + k;
          const q = Math.max(p, uk);
          const e1 = Math.exp(p - q);
          const e2 = Math.exp(uk - q);
          wkv[o + c] = (e1 * (num[i] as number) + e2 * v) / (e1 * (den[i] as number) + e2);
          const decayed = p - (x.w[c] as number);
          const q2 = Math.max(decayed, k);
          const f1 = Math.exp(decayed - q2);
          const f2 = Math.exp(k - q2);
          num[i] = f1 * (num[i] as number) + f2 * v;
          den[i] = f1 * (den[i] as number) + f2;
          max[i] = q2;
        }
      }
      nums.set(num.subarray(b * C, (b + 1) * C), o);
      dens.set(den.subarray(b * C, (b + 1) * C), o);
      maxs.set(max.subarray(b * C, (b + 1) * C), o);
    }
  }
  return { wkv, numT: num, denT: den, maxT: max, nums, dens, maxs };
}

interface WkvGradArrays extends WkvArrays {
  readonly nums: Float32Array;
  readonly dens: Float32Array;
  readonly maxs: Float32Array;
  readonly numT: Float32Array;
  readonly denT: Float32Array;
  readonly dwkv: Float32Array;
  readonly dnumT: Float32Array;
  readonly ddenT: Float32Array;
  readonly dmaxT: Float32Array;
}

/** α, β: e^{max}-scaled gradients of N, D; π: the gradient reaching maxT, along the running max's branch. */
export function wkvBackward(x: WkvGradArrays, d: WkvDims, reverse: boolean) {
  const { batch: B, time: T, channels: C } = d;
  const [dk, dv] = [new Float32Array(B * T * C), new Float32Array(B * T * C)];
  // Sums over batch and time in float64: float32 would drift from the reference's pairwise sums.
  const [dw, du] = [new Float64Array(C), new Float64Array(C)];
  const alpha = Float32Array.from(x.dnumT);
  const beta = Float32Array.from(x.ddenT);
  const pi = x.dmaxT.map(
    (g, i) => g - (x.dnumT[i] as number) * (x.numT[i] as number) - (x.ddenT[i] as number) * (x.denT[i] as number),
  );
  for (let b = 0; b < B; b++) {
    for (let s = T - 1; s >= 0; s--) {
      const t = timeAt(s, T, reverse);
      if (x.mask[b * T + t] === 0) continue;
      const o = (b * T + t) * C;
      const prev = s === 0 ? -1 : (b * T + timeAt(s - 1, T, reverse)) * C;
      for (let c = 0; c < C; c++) {
        const i = b * C + c;
        const [num, den, p] =
          prev < 0
            ? [x.num0[i] as number, x.den0[i] as number, x.max0[i] as number]
            : [x.nums[prev + c] as number, x.dens[prev + c] as number, x.maxs[prev + c] as number];
        const [k, v] = [x.k[o + c] as number, x.v[o + c] as number];
        const uk = (x.u[c] as number) + k;
        const q = Math.max(p, uk);
        const e1 = Math.exp(p - q);
        const e2 = Math.exp(uk - q);
        const denominator = e1 * den + e2;
        const y = (e1 * num + e2 * v) / denominator;
        const decayed = p - (x.w[c] as number);
        const decayBranch = decayed >= k;
        const q2 = decayBranch ? decayed : k;
        const f1 = Math.exp(decayed - q2);
        const f2 = Math.exp(k - q2);
        const g = (x.dwkv[o + c] as number) / denominator;
        const [a, be, pp] = [alpha[i] as number, beta[i] as number, pi[i] as number];
        const fromOutput = g * e2 * (v - y);
        dk[o + c] = fromOutput + f2 * (a * v + be) + (decayBranch ? 0 : pp);
        dv[o + c] = g * e2 + a * f2;
        du[c] = (du[c] as number) + fromOutput;
        dw[c] = (dw[c] as number) - f1 * (a * num + be * den) - (decayBranch ? pp : 0);
        alpha[i] = g * e1 + a * f1;
        beta[i] = be * f1 - g * y * e1;
        if (!decayBranch) pi[i] = 0;
      }
    }
  }
  const dmax0 = pi.map(
    (g, i) => g + (alpha[i] as number) * (x.num0[i] as number) + (beta[i] as number) * (x.den0[i] as number),
  );
  return { dk, dv, dw: Float32Array.from(dw), du: Float32Array.from(du), dnum0: alpha, dden0: beta, dmax0 };
}
