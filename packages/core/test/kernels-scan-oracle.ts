/**
 * Float64 oracles for the linear-scan kernels: the recurrences as plain sequential loops
 * (h_t = a_t h_{t−1} + b_t, and its log-space form), and central finite differences of
 * a loss read from them. Arrays are flat, steps `[B, T, F]` and states `[B, F]`.
 */

export interface ScanProblem {
  readonly batch: number;
  readonly time: number;
  readonly features: number;
  /** `[B, T]`, 0 = padded; absent: all real. */
  readonly mask?: Float64Array;
  readonly reverse: boolean;
}

/** The two step inputs and the optional state, as the kernel takes them. */
export interface ScanValues {
  readonly first: Float64Array;
  readonly second: Float64Array;
  readonly state?: Float64Array;
}

export type StepRule = (first: number, state: number, second: number) => number;

export const AFFINE_STEP: StepRule = (a, h, b) => a * h + b;

export const LOG_AFFINE_STEP: StepRule = (logA, logH, logB) => {
  const x = logA + logH;
  const top = Math.max(x, logB);
  return top === -Infinity ? top : top + Math.log1p(Math.exp(-Math.abs(x - logB)));
};

/** `hs [B,T,F]` by input time and `hT [B,F]`; the state starts at `empty` when absent. */
export function sequentialScan(p: ScanProblem, v: ScanValues, rule: StepRule, empty: number) {
  const { batch: B, time: T, features: F } = p;
  const hs = new Float64Array(B * T * F);
  const hT = v.state === undefined ? new Float64Array(B * F).fill(empty) : Float64Array.from(v.state);
  for (let b = 0; b < B; b++) {
    for (let s = 0; s < T; s++) {
      const t = p.reverse ? T - 1 - s : s;
      const o = (b * T + t) * F;
      const real = p.mask === undefined || p.mask[b * T + t] !== 0;
      for (let f = 0; f < F; f++) {
        if (real) hT[b * F + f] = rule(v.first[o + f] as number, hT[b * F + f] as number, v.second[o + f] as number);
        hs[o + f] = hT[b * F + f] as number;
      }
    }
  }
  return { hs, hT };
}

/** Σ hs⊙R + Σ hT⊙Rh, skipping states that are −∞ (h = 0 in log space) with their weight. */
export function readOut(hs: Float64Array, hT: Float64Array, r: Float64Array, rT: Float64Array): number {
  let total = 0;
  hs.forEach((h, i) => {
    if (h !== -Infinity) total += h * (r[i] as number);
  });
  hT.forEach((h, i) => {
    if (h !== -Infinity) total += h * (rT[i] as number);
  });
  return total;
}

/** Central differences of `loss` with respect to each element of `x`, in float64. */
export function finiteDifferences(x: Float64Array, loss: (x: Float64Array) => number, step = 1e-6): Float64Array {
  const grad = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const value = x[i] as number;
    if (!Number.isFinite(value)) continue;
    const shifted = Float64Array.from(x);
    shifted[i] = value + step;
    const up = loss(shifted);
    shifted[i] = value - step;
    grad[i] = (up - loss(shifted)) / (2 * step);
  }
  return grad;
}

/** A `[B, T]` mask with padding anywhere: row 0 whole, the last row (of three or more) all padding. */
export function holes(batch: number, time: number): Float64Array {
  const mask = new Float64Array(batch * time);
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < time; t++) {
      const empty = batch > 2 && b === batch - 1;
      mask[b * time + t] = b === 0 || (!empty && (b * 7 + t * 3) % 4 !== 0) ? 1 : 0;
    }
  }
  return mask;
}

/** A mask whose rows start with padding (left-padded sequences). */
export function leadingPadding(batch: number, time: number): Float64Array {
  const mask = new Float64Array(batch * time);
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < time; t++) mask[b * time + t] = t >= Math.min(b, time - 1) ? 1 : 0;
  }
  return mask;
}
