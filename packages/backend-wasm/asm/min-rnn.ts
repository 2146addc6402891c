/**
 * Fused `RecurMinRnnScan` (core's `kernels/min-rnn-scan.ts` is the oracle): minGRU's or
 * minLSTM's gates, candidate g(·) and the linear recurrence h_t = a_t ⊙ h_{t−1} + b_t
 * from the projected pre-activations, in one pass over time per row, four features per
 * SIMD lane group; the backward pass recomputes the gates from `pre`.
 *
 *     minGru   a = σ(−k),  b = σ(k)·c(k̃)
 *     minLstm  a = f/(f + i) = v/(u + v),  b = i/(f + i)·c(k̃) = u/(u + v)·c(k̃)
 *
 * with f = σ(k_f) = 1/u, i = σ(k_i) = 1/v: u = 1 + e^−k_f and v = 1 + e^−k_i, both scaled
 * by e^−m, m = max(−k_f, −k_i, 0), so that no exponential overflows and u + v ≥ 1 (core's
 * softplus form, σ(log f − log i), is the same value; this one takes three exponentials
 * and one division where that takes four exponentials, two logarithms and four divisions).
 *
 * `pre [B, T, blocks·H]` (blocks k | k̃, or k_f | k_i | k̃) plus `bias [blocks·H]`, states
 * `[B, H]`, mask `[B, T]`.
 * Gradients under 2⁻¹⁰⁰ in magnitude are flushed to zero (common.ts' `flush`). The
 * recurrence's adjoint decays geometrically through time (by a_t per step), and once it nears
 * the subnormal range the products that follow (x·W's gradient, dx) produce subnormals, which
 * x86 computes up to 75 times slower (tfjs' wasm matMul, [64, 8192]·[8192, 512]: 24 ms with
 * gradients of 1, 385 ms at 10⁻³⁶, 1764 ms at 10⁻³⁷). Here the gate gradients are flushed
 * too, since they feed those products directly.
 */
import { flush, isReal, ld, st, timeAt } from './common';
import { Lanes } from './math';

/** `Min.candidateAndSlope`'s second result (AssemblyScript functions return one value). */
let slope: v128 = f32x4.splat(0);

function splat(v: f32): v128 {
  return f32x4.splat(v);
}

function lane(base: usize, f: i32): usize {
  return base + <usize>f * 4;
}

// biome-ignore lint/complexity/noStaticOnlyClass: AssemblyScript only inlines decorated functions and methods.
class Min {
  /** The paper's g(x) = x + ½ (x ≥ 0), σ(x) (x < 0), or x. */
  @inline static candidate(x: v128, linear: bool): v128 {
    if (linear) return x;
    return Min.candidateFrom(x, Lanes.sigmoid(x));
  }

  /** g(x) from σ(x) = `s`. */
  @inline static candidateFrom(x: v128, s: v128): v128 {
    return v128.bitselect(f32x4.add(x, splat(0.5)), s, f32x4.ge(x, splat(0)));
  }

  /** e^−x, 0 for the linear candidate (which needs none). */
  @inline static candidateExp(x: v128, linear: bool): v128 {
    return linear ? splat(0) : Lanes.exp(f32x4.neg(x));
  }

  /** The candidate, and its slope c′(x) into `slope`, from e = e^−x (`candidateExp`), one exponential for both. */
  @inline static candidateAndSlope(x: v128, e: v128, linear: bool): v128 {
    if (linear) {
      slope = splat(1);
      return x;
    }
    // σ(x) and σ(−x) = e^−x·σ(x); c′ is 1 above 0, σ(x)σ(−x) below, 0 at 0 (tfjs' relu subgradient, as the reference).
    const s = f32x4.div(splat(1), f32x4.add(splat(1), e));
    const below = f32x4.mul(s, f32x4.mul(e, s));
    slope = v128.or(v128.and(splat(1), f32x4.gt(x, splat(0))), v128.and(below, f32x4.lt(x, splat(0))));
    return Min.candidateFrom(x, s);
  }

  /** σ(k) from e = e^−k; σ(−k) is then e·σ(k): one exponential for both of minGRU's gates. */
  @inline static sigmoidFrom(e: v128): v128 {
    return f32x4.div(splat(1), f32x4.add(splat(1), e));
  }

  /** e^−m with m = max(−k_f, −k_i, 0): the scale of minLSTM's u and v. */
  @inline static scale(kf: v128, ki: v128): v128 {
    return f32x4.max(f32x4.max(f32x4.neg(kf), f32x4.neg(ki)), splat(0));
  }

  /** e^(−k − m): u or v less its e^−m term. */
  @inline static scaledExp(k: v128, m: v128): v128 {
    return Lanes.exp(f32x4.sub(f32x4.neg(k), m));
  }

  /** Block j's pre-activation plus its bias, at feature f (blocks `row` bytes apart). */
  @inline static pre(p: usize, bias: usize, j: i32, row: usize, f: i32, full: bool): v128 {
    const at = <usize>j * row;
    return f32x4.add(ld(lane(p + at, f), full), ld(lane(bias + at, f), full));
  }

  /** dst[f…] += v, the bias' gradient summed over rows and steps. */
  @inline static accumulate(dst: usize, f: i32, v: v128, full: bool): void {
    st(lane(dst, f), f32x4.add(ld(lane(dst, f), full), v), full);
  }
}

export function minRnnForward(
  lstm: bool,
  linear: bool,
  batch: i32,
  time: i32,
  units: i32,
  pre: usize,
  bias: usize,
  h0: usize,
  mask: usize,
  reverse: bool,
  hs: usize,
  hT: usize,
): void {
  const row = <usize>units * 4;
  const preRow = <usize>(lstm ? 3 : 2) * row;
  memory.copy(hT, h0, <usize>batch * row);
  for (let bi = 0; bi < batch; bi++) {
    const h = hT + <usize>bi * row;
    for (let s = 0; s < time; s++) {
      const t = timeAt(s, time, reverse);
      const o = <usize>(bi * time + t);
      if (isReal(mask, bi, t, time)) {
        const p = pre + o * preRow;
        for (let f = 0; f < units; ) {
          const full = f + 4 <= units;
          let a: v128;
          let b: v128;
          if (lstm) {
            const kf = Min.pre(p, bias, 0, row, f, full);
            const ki = Min.pre(p, bias, 1, row, f, full);
            const m = Min.scale(kf, ki);
            const e0 = Lanes.exp(f32x4.neg(m));
            const u = f32x4.add(e0, Min.scaledExp(kf, m));
            const v = f32x4.add(e0, Min.scaledExp(ki, m));
            const r = f32x4.div(splat(1), f32x4.add(u, v));
            a = f32x4.mul(v, r);
            b = f32x4.mul(f32x4.mul(u, r), Min.candidate(Min.pre(p, bias, 2, row, f, full), linear));
          } else {
            const e = Lanes.exp(f32x4.neg(Min.pre(p, bias, 0, row, f, full)));
            const z = Min.sigmoidFrom(e);
            a = f32x4.mul(e, z);
            b = f32x4.mul(z, Min.candidate(Min.pre(p, bias, 1, row, f, full), linear));
          }
          st(lane(h, f), f32x4.add(f32x4.mul(a, ld(lane(h, f), full)), b), full);
          f += full ? 4 : 1;
        }
      }
      memory.copy(hs + o * row, h, row);
    }
  }
}

/**
 * g_t = dh_t + a_{t+1} g_{t+1} (dhT joins at the last step), then the chain rule through
 * the gates with da = g·h_{t−1}, db = g (see core's descriptor); 0 at padded steps.
 */
export function minRnnBackward(
  lstm: bool,
  linear: bool,
  batch: i32,
  time: i32,
  units: i32,
  pre: usize,
  bias: usize,
  h0: usize,
  mask: usize,
  hs: usize,
  dhs: usize,
  dhT: usize,
  reverse: bool,
  dpre: usize,
  dbias: usize,
  dh0: usize,
): void {
  const row = <usize>units * 4;
  const preRow = <usize>(lstm ? 3 : 2) * row;
  // dh0 carries each row's gradient from later steps until every step is done.
  memory.copy(dh0, dhT, <usize>batch * row);
  memory.fill(dbias, 0, preRow);
  for (let bi = 0; bi < batch; bi++) {
    const carried = dh0 + <usize>bi * row;
    for (let s = time - 1; s >= 0; s--) {
      const t = timeAt(s, time, reverse);
      const o = <usize>(bi * time + t);
      const p = pre + o * preRow;
      const dp = dpre + o * preRow;
      const previous = s === 0 ? h0 + <usize>bi * row : hs + <usize>(bi * time + timeAt(s - 1, time, reverse)) * row;
      if (!isReal(mask, bi, t, time)) {
        for (let f = 0; f < units; ) {
          const full = f + 4 <= units;
          st(lane(carried, f), flush(f32x4.add(ld(lane(carried, f), full), ld(lane(dhs + o * row, f), full))), full);
          f += full ? 4 : 1;
        }
        memory.fill(dp, 0, preRow);
        continue;
      }
      for (let f = 0; f < units; ) {
        const full = f + 4 <= units;
        const g = f32x4.add(ld(lane(carried, f), full), ld(lane(dhs + o * row, f), full));
        const gh = f32x4.mul(g, ld(lane(previous, f), full));
        let a: v128;
        if (lstm) {
          const kf = Min.pre(p, bias, 0, row, f, full);
          const ki = Min.pre(p, bias, 1, row, f, full);
          const kc = Min.pre(p, bias, 2, row, f, full);
          // σ(−k_f) = e^−k_f / (1 + e^−k_f) = (u − e^−m) / u, and the same for k_i.
          const m = Min.scale(kf, ki);
          const e0 = Lanes.exp(f32x4.neg(m));
          const ef = Min.scaledExp(kf, m);
          const ei = Min.scaledExp(ki, m);
          const u = f32x4.add(e0, ef);
          const v = f32x4.add(e0, ei);
          const r = f32x4.div(splat(1), f32x4.add(u, v));
          a = f32x4.mul(v, r);
          const i = f32x4.mul(u, r);
          const c = Min.candidateAndSlope(kc, Min.candidateExp(kc, linear), linear);
          const dd = f32x4.mul(f32x4.mul(a, i), f32x4.sub(gh, f32x4.mul(g, c)));
          const dkf = flush(f32x4.mul(dd, f32x4.div(ef, u)));
          const dki = flush(f32x4.neg(f32x4.mul(dd, f32x4.div(ei, v))));
          const dkc = flush(f32x4.mul(f32x4.mul(g, i), slope));
          st(lane(dp, f), dkf, full);
          st(lane(dp + row, f), dki, full);
          st(lane(dp + 2 * row, f), dkc, full);
          Min.accumulate(dbias, f, dkf, full);
          Min.accumulate(dbias + row, f, dki, full);
          Min.accumulate(dbias + 2 * row, f, dkc, full);
        } else {
          const k = Min.pre(p, bias, 0, row, f, full);
          const kc = Min.pre(p, bias, 1, row, f, full);
          const e = Lanes.exp(f32x4.neg(k));
          const z = Min.sigmoidFrom(e);
          a = f32x4.mul(e, z);
          const c = Min.candidateAndSlope(kc, Min.candidateExp(kc, linear), linear);
          const dk = flush(f32x4.mul(f32x4.mul(z, a), f32x4.sub(f32x4.mul(g, c), gh)));
          const dkc = flush(f32x4.mul(f32x4.mul(g, z), slope));
          st(lane(dp, f), dk, full);
          st(lane(dp + row, f), dkc, full);
          Min.accumulate(dbias, f, dk, full);
          Min.accumulate(dbias + row, f, dkc, full);
        }
        st(lane(carried, f), flush(f32x4.mul(a, g)), full);
        f += full ? 4 : 1;
      }
    }
  }
}
