/**
 * Fused `RecurWkvSequence`: RWKV-4's WKV recurrence with the running-max stabiliser, and
 * its backward pass (core's `kernels/wkv-sequence.ts` holds the equations, the derivation
 * and the reference). Sequential in time, four channels per SIMD lane group, four
 * exponentials per element per step. Steps `[B, T, C]` batch-major, states `[B, C]`,
 * decay `w` and bonus `u` `[C]`; byte offsets throughout.
 */
import { isReal, ld, st, timeAt } from './common';
import { Lanes } from './math';

function at(base: usize, index: i32): usize {
  return base + <usize>index * 4;
}

export function wkvForward(
  batch: i32,
  time: i32,
  channels: i32,
  k: usize,
  v: usize,
  w: usize,
  u: usize,
  num0: usize,
  den0: usize,
  max0: usize,
  mask: usize,
  reverse: bool,
  wkv: usize,
  numT: usize,
  denT: usize,
  maxT: usize,
  nums: usize,
  dens: usize,
  maxs: usize,
): void {
  const row = <usize>channels * 4;
  const states = <usize>batch * row;
  memory.copy(numT, num0, states);
  memory.copy(denT, den0, states);
  memory.copy(maxT, max0, states);
  for (let b = 0; b < batch; b++) {
    const sr = b * channels;
    for (let s = 0; s < time; s++) {
      const t = timeAt(s, time, reverse);
      const o = (b * time + t) * channels;
      if (!isReal(mask, b, t, time)) {
        memory.fill(at(wkv, o), 0, row);
      } else {
        for (let c = 0; c < channels; ) {
          const full = c + 4 <= channels;
          const kc = ld(at(k, o + c), full);
          const vc = ld(at(v, o + c), full);
          const p = ld(at(maxT, sr + c), full);
          const num = ld(at(numT, sr + c), full);
          const den = ld(at(denT, sr + c), full);
          const uk = f32x4.add(ld(at(u, c), full), kc);
          const q = f32x4.max(p, uk);
          const e1 = Lanes.exp(f32x4.sub(p, q));
          const e2 = Lanes.exp(f32x4.sub(uk, q));
          const y = f32x4.div(f32x4.add(f32x4.mul(e1, num), f32x4.mul(e2, vc)), f32x4.add(f32x4.mul(e1, den), e2));
          st(at(wkv, o + c), y, full);
          const decayed = f32x4.sub(p, ld(at(w, c), full));
          const q2 = f32x4.max(decayed, kc);
          const f1 = Lanes.exp(f32x4.sub(decayed, q2));
          const f2 = Lanes.exp(f32x4.sub(kc, q2));
          st(at(numT, sr + c), f32x4.add(f32x4.mul(f1, num), f32x4.mul(f2, vc)), full);
          st(at(denT, sr + c), f32x4.add(f32x4.mul(f1, den), f2), full);
          st(at(maxT, sr + c), q2, full);
          c += full ? 4 : 1;
        }
      }
      memory.copy(at(nums, o), at(numT, sr), row);
      memory.copy(at(dens, o), at(denT, sr), row);
      memory.copy(at(maxs, o), at(maxT, sr), row);
    }
  }
}

/**
 * α, β (e^{max}-scaled gradients of N and D) travel in `dnum0`, `dden0` and π (the
 * gradient reaching maxT, along each running max's branch) in `dmax0`, until the first
 * step is done; then dmax0 = π + α num0 + β den0. `dw`, `du` sum over batch and time.
 */
export function wkvBackward(
  batch: i32,
  time: i32,
  channels: i32,
  k: usize,
  v: usize,
  w: usize,
  u: usize,
  num0: usize,
  den0: usize,
  max0: usize,
  mask: usize,
  nums: usize,
  dens: usize,
  maxs: usize,
  numT: usize,
  denT: usize,
  dwkv: usize,
  dnumT: usize,
  ddenT: usize,
  dmaxT: usize,
  reverse: bool,
  dk: usize,
  dv: usize,
  dw: usize,
  du: usize,
  dnum0: usize,
  dden0: usize,
  dmax0: usize,
): void {
  const row = <usize>channels * 4;
  const states = <usize>batch * row;
  memory.copy(dnum0, dnumT, states);
  memory.copy(dden0, ddenT, states);
  memory.fill(dw, 0, row);
  memory.fill(du, 0, row);
  for (let i = 0; i < batch * channels; ) {
    const full = i + 4 <= batch * channels;
    const back = f32x4.add(
      f32x4.mul(ld(at(dnumT, i), full), ld(at(numT, i), full)),
      f32x4.mul(ld(at(ddenT, i), full), ld(at(denT, i), full)),
    );
    st(at(dmax0, i), f32x4.sub(ld(at(dmaxT, i), full), back), full);
    i += full ? 4 : 1;
  }
  const zero = f32x4.splat(0);
  for (let b = 0; b < batch; b++) {
    const sr = b * channels;
    for (let s = time - 1; s >= 0; s--) {
      const t = timeAt(s, time, reverse);
      const o = (b * time + t) * channels;
      if (!isReal(mask, b, t, time)) {
        memory.fill(at(dk, o), 0, row);
        memory.fill(at(dv, o), 0, row);
        continue;
      }
      const first = s === 0;
      const prev = first ? 0 : (b * time + timeAt(s - 1, time, reverse)) * channels;
      for (let c = 0; c < channels; ) {
        const full = c + 4 <= channels;
        const num = first ? ld(at(num0, sr + c), full) : ld(at(nums, prev + c), full);
        const den = first ? ld(at(den0, sr + c), full) : ld(at(dens, prev + c), full);
        const p = first ? ld(at(max0, sr + c), full) : ld(at(maxs, prev + c), full);
        const kc = ld(at(k, o + c), full);
        const vc = ld(at(v, o + c), full);
        const uk = f32x4.add(ld(at(u, c), full), kc);
        const q = f32x4.max(p, uk);
        const e1 = Lanes.exp(f32x4.sub(p, q));
        const e2 = Lanes.exp(f32x4.sub(uk, q));
        const denominator = f32x4.add(f32x4.mul(e1, den), e2);
        const y = f32x4.div(f32x4.add(f32x4.mul(e1, num), f32x4.mul(e2, vc)), denominator);
        const decayed = f32x4.sub(p, ld(at(w, c), full));
        const decayBranch = f32x4.ge(decayed, kc);
        const q2 = v128.bitselect(decayed, kc, decayBranch);
        const f1 = Lanes.exp(f32x4.sub(decayed, q2));
        const f2 = Lanes.exp(f32x4.sub(kc, q2));
        const g = f32x4.div(ld(at(dwkv, o + c), full), denominator);
        const alpha = ld(at(dnum0, sr + c), full);
        const beta = ld(at(dden0, sr + c), full);
        const pi = ld(at(dmax0, sr + c), full);
        const fromOutput = f32x4.mul(f32x4.mul(g, e2), f32x4.sub(vc, y));
        const fromState = f32x4.mul(f2, f32x4.add(f32x4.mul(alpha, vc), beta));
        st(at(dk, o + c), f32x4.add(f32x4.add(fromOutput, fromState), v128.bitselect(zero, pi, decayBranch)), full);
        st(at(dv, o + c), f32x4.add(f32x4.mul(g, e2), f32x4.mul(alpha, f2)), full);
        st(at(du, c), f32x4.add(ld(at(du, c), full), fromOutput), full);
        const fromDecay = f32x4.add(
          f32x4.mul(f1, f32x4.add(f32x4.mul(alpha, num), f32x4.mul(beta, den))),
          v128.bitselect(pi, zero, decayBranch),
        );
        st(at(dw, c), f32x4.sub(ld(at(dw, c), full), fromDecay), full);
        st(at(dnum0, sr + c), f32x4.add(f32x4.mul(g, e1), f32x4.mul(alpha, f1)), full);
        st(at(dden0, sr + c), f32x4.sub(f32x4.mul(beta, f1), f32x4.mul(f32x4.mul(g, y), e1)), full);
        st(at(dmax0, sr + c), v128.bitselect(pi, zero, decayBranch), full);
        c += full ? 4 : 1;
      }
    }
  }
  for (let i = 0; i < batch * channels; ) {
    const full = i + 4 <= batch * channels;
    const back = f32x4.add(
      f32x4.mul(ld(at(dnum0, i), full), ld(at(num0, i), full)),
      f32x4.mul(ld(at(dden0, i), full), ld(at(den0, i), full)),
    );
    st(at(dmax0, i), f32x4.add(ld(at(dmax0, i), full), back), full);
    i += full ? 4 : 1;
  }
}
