/**
 * Fused `RecurLogLinearScan`, log h_t = logaddexp(log a_t + log h_{t−1}, log b_t) (core's
 * `kernels/log-linear-scan.ts` is the oracle), and its backward pass, laid out as
 * linear-scan.ts. The weights w_t = exp(log a_t + L_{t−1} − L_t) and v_t = exp(log b_t − L_t)
 * are 0 where L_t = −∞ (h_t = 0), where their exponents are NaN.
 */
import { isReal, timeAt } from './common';
import { Lanes } from './math';

const MINUS_INFINITY = f32x4.splat(-Infinity);

function lane(base: usize, f: i32): usize {
  return base + <usize>f * 4;
}

/** log(eˣ + eʸ) = max + log1p(e^(−|x − y|)), −∞ when both are −∞. */
function logAddExp(x: v128, y: v128): v128 {
  const top = f32x4.max(x, y);
  const rest = Lanes.log1p(Lanes.exp(f32x4.neg(f32x4.abs(f32x4.sub(x, y)))));
  return v128.bitselect(top, f32x4.add(top, rest), f32x4.eq(top, MINUS_INFINITY));
}

/** exp(x − L), 0 where L = −∞. */
function ratio(x: v128, logH: v128): v128 {
  return v128.andnot(Lanes.exp(f32x4.sub(x, logH)), f32x4.eq(logH, MINUS_INFINITY));
}

/** Four lanes at p, or lane 0 alone (the rest −∞) at the ragged end of a row. */
function get(p: usize, full: bool): v128 {
  return full ? v128.load(p) : f32x4.replace_lane(MINUS_INFINITY, 0, load<f32>(p));
}

function put(p: usize, v: v128, full: bool): void {
  if (full) v128.store(p, v);
  else store<f32>(p, f32x4.extract_lane(v, 0));
}

export function logLinearScanForward(
  batch: i32,
  time: i32,
  features: i32,
  logA: usize,
  logB: usize,
  logH0: usize,
  mask: usize,
  reverse: bool,
  logHs: usize,
  logHT: usize,
): void {
  const row = <usize>features * 4;
  memory.copy(logHT, logH0, <usize>batch * row);
  for (let bi = 0; bi < batch; bi++) {
    const logH = logHT + <usize>bi * row;
    for (let s = 0; s < time; s++) {
      const t = timeAt(s, time, reverse);
      const o = <usize>(bi * time + t) * row;
      if (isReal(mask, bi, t, time)) {
        for (let f = 0; f < features; ) {
          const full = f + 4 <= features;
          const carried = f32x4.add(get(lane(logA + o, f), full), get(lane(logH, f), full));
          put(lane(logH, f), logAddExp(carried, get(lane(logB + o, f), full)), full);
          f += full ? 4 : 1;
        }
      }
      memory.copy(logHs + o, logH, row);
    }
  }
}

export function logLinearScanBackward(
  batch: i32,
  time: i32,
  features: i32,
  logA: usize,
  logB: usize,
  logH0: usize,
  mask: usize,
  logHs: usize,
  dLogHs: usize,
  dLogHT: usize,
  reverse: bool,
  dLogA: usize,
  dLogB: usize,
  dLogH0: usize,
): void {
  const row = <usize>features * 4;
  memory.copy(dLogH0, dLogHT, <usize>batch * row);
  for (let bi = 0; bi < batch; bi++) {
    const carried = dLogH0 + <usize>bi * row;
    for (let s = time - 1; s >= 0; s--) {
      const t = timeAt(s, time, reverse);
      const o = <usize>(bi * time + t) * row;
      const previous =
        s === 0 ? logH0 + <usize>bi * row : logHs + <usize>(bi * time + timeAt(s - 1, time, reverse)) * row;
      const real = isReal(mask, bi, t, time);
      for (let f = 0; f < features; ) {
        const full = f + 4 <= features;
        const g = f32x4.add(get(lane(carried, f), full), get(lane(dLogHs + o, f), full));
        if (real) {
          const logH = get(lane(logHs + o, f), full);
          const w = ratio(f32x4.add(get(lane(logA + o, f), full), get(lane(previous, f), full)), logH);
          put(lane(dLogA + o, f), f32x4.mul(g, w), full);
          put(lane(dLogB + o, f), f32x4.mul(g, ratio(get(lane(logB + o, f), full), logH)), full);
          put(lane(carried, f), f32x4.mul(g, w), full);
        } else {
          put(lane(dLogA + o, f), f32x4.splat(0), full);
          put(lane(dLogB + o, f), f32x4.splat(0), full);
          put(lane(carried, f), g, full);
        }
        f += full ? 4 : 1;
      }
    }
  }
}
