/**
 * Fused `RecurLinearScan`, h_t = a_t ⊙ h_{t−1} + b_t (core's `kernels/linear-scan.ts` is
 * the oracle), and its backward pass g_t = dh_t + a_{t+1} g_{t+1}. Sequential in time,
 * four features per SIMD lane group: a few flops per element per step, so the loop is
 * bound by memory, not arithmetic. Steps `[B, T, F]` batch-major, states `[B, F]`.
 */
import { isReal, timeAt } from './common';

function lane(base: usize, f: i32): usize {
  return base + <usize>f * 4;
}

export function linearScanForward(
  batch: i32,
  time: i32,
  features: i32,
  a: usize,
  b: usize,
  h0: usize,
  mask: usize,
  reverse: bool,
  hs: usize,
  hT: usize,
): void {
  const row = <usize>features * 4;
  memory.copy(hT, h0, <usize>batch * row);
  for (let bi = 0; bi < batch; bi++) {
    const h = hT + <usize>bi * row;
    for (let s = 0; s < time; s++) {
      const t = timeAt(s, time, reverse);
      const o = <usize>(bi * time + t) * row;
      if (isReal(mask, bi, t, time)) {
        let f = 0;
        for (; f + 4 <= features; f += 4) {
          const next = f32x4.add(
            f32x4.mul(v128.load(lane(a + o, f)), v128.load(lane(h, f))),
            v128.load(lane(b + o, f)),
          );
          v128.store(lane(h, f), next);
        }
        for (; f < features; f++) {
          store<f32>(lane(h, f), load<f32>(lane(a + o, f)) * load<f32>(lane(h, f)) + load<f32>(lane(b + o, f)));
        }
      }
      memory.copy(hs + o, h, row);
    }
  }
}

/** da_t = g_t h_{t−1}, db_t = g_t at real steps (0 at padded ones); dh0 = a_1 g_1. */
export function linearScanBackward(
  batch: i32,
  time: i32,
  features: i32,
  a: usize,
  h0: usize,
  mask: usize,
  hs: usize,
  dhs: usize,
  dhT: usize,
  reverse: bool,
  da: usize,
  db: usize,
  dh0: usize,
): void {
  const row = <usize>features * 4;
  // dh0 carries each row's gradient from later steps until every step is done.
  memory.copy(dh0, dhT, <usize>batch * row);
  for (let bi = 0; bi < batch; bi++) {
    const carried = dh0 + <usize>bi * row;
    for (let s = time - 1; s >= 0; s--) {
      const t = timeAt(s, time, reverse);
      const o = <usize>(bi * time + t) * row;
      const previous = s === 0 ? h0 + <usize>bi * row : hs + <usize>(bi * time + timeAt(s - 1, time, reverse)) * row;
      if (!isReal(mask, bi, t, time)) {
        let f = 0;
        for (; f + 4 <= features; f += 4) {
          v128.store(lane(carried, f), f32x4.add(v128.load(lane(carried, f)), v128.load(lane(dhs + o, f))));
        }
        for (; f < features; f++)
          store<f32>(lane(carried, f), load<f32>(lane(carried, f)) + load<f32>(lane(dhs + o, f)));
        memory.fill(da + o, 0, row);
        memory.fill(db + o, 0, row);
        continue;
      }
      let f = 0;
      for (; f + 4 <= features; f += 4) {
        const g = f32x4.add(v128.load(lane(carried, f)), v128.load(lane(dhs + o, f)));
        v128.store(lane(db + o, f), g);
        v128.store(lane(da + o, f), f32x4.mul(g, v128.load(lane(previous, f))));
        v128.store(lane(carried, f), f32x4.mul(v128.load(lane(a + o, f)), g));
      }
      for (; f < features; f++) {
        const g = load<f32>(lane(carried, f)) + load<f32>(lane(dhs + o, f));
        store<f32>(lane(db + o, f), g);
        store<f32>(lane(da + o, f), g * load<f32>(lane(previous, f)));
        store<f32>(lane(carried, f), load<f32>(lane(a + o, f)) * g);
      }
    }
  }
}
