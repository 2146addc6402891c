/**
 * Float32 elementary functions on f32x4 lanes, tables-free (the module must not carry
 * data segments: it shares tfjs' heap). Polynomials from Cephes' single-precision
 * library (Moshier 1992) and Eigen (tanh), within 3 ulp (exp 1) over the float range.
 */

// exp: x = n·ln2 + r with ln2 split in two (Cody–Waite) so r is exact, |r| ≤ ln2/2.
const LOG2E: f32 = <f32>Math.LOG2E;
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.1219444e-4;
const EXP_MAX: f32 = 88.72283905206835;
const EXP_MIN: f32 = -87.3365447505531;
const ROUNDER: f32 = 12582912.0;
const ROUNDER_BITS: i32 = 0x4b400000;
const TANH_CLAMP: f32 = 7.998811721801758;

function splat(v: f32): v128 {
  return f32x4.splat(v);
}

/**
 * `@inline` static methods because inlining is what makes these fast: V8 then keeps the
 * polynomial constants in registers across a loop instead of rebuilding them per call.
 * (Decorated plain functions would do, but Biome cannot parse them.)
 */
// biome-ignore lint/complexity/noStaticOnlyClass: AssemblyScript only inlines decorated functions and methods.
export class Lanes {
  /** eˣ; +∞ above the float range, 2⁻¹²⁶ below it (no subnormals), NaN stays NaN. */
  @inline static exp(x: v128): v128 {
    // pmin/pmax are single instructions (wasm's min/max need NaN fix-ups) and keep NaN here.
    const xc = f32x4.pmin(f32x4.pmax(x, splat(EXP_MIN)), splat(EXP_MAX));
    // Adding 1.5·2²³ rounds to the nearest integer and leaves it in the low mantissa bits.
    const t = f32x4.add(f32x4.mul(xc, splat(LOG2E)), splat(ROUNDER));
    const n = f32x4.sub(t, splat(ROUNDER));
    const ni = i32x4.sub(t, i32x4.splat(ROUNDER_BITS));
    const r = f32x4.sub(f32x4.sub(xc, f32x4.mul(n, splat(LN2_HI))), f32x4.mul(n, splat(LN2_LO)));
    // eʳ = 1 + r + r²·P(r), P of degree 5 evaluated in Estrin's scheme: the dependency chain
    // (not the operation count) is what limits throughput here.
    const r2 = f32x4.mul(r, r);
    const p01 = f32x4.add(f32x4.mul(r, splat(1.6666665459e-1)), splat(5.0000001201e-1));
    const p23 = f32x4.add(f32x4.mul(r, splat(8.3334519073e-3)), splat(4.1665795894e-2));
    const p45 = f32x4.add(f32x4.mul(r, splat(1.98756915e-4)), splat(1.3981999507e-3));
    const p = f32x4.add(p01, f32x4.mul(r2, f32x4.add(p23, f32x4.mul(r2, p45))));
    const y = f32x4.add(f32x4.add(f32x4.mul(p, r2), r), splat(1));
    // 2ⁿ for n ∈ [−126, 128] as 2^min(n, 127) · 2^(n − min(n, 127)): both factors are normal floats.
    const low = i32x4.min_s(ni, i32x4.splat(127));
    const bias = i32x4.splat(127);
    const p1 = i32x4.shl(i32x4.add(low, bias), 23);
    const p2 = i32x4.shl(i32x4.add(i32x4.sub(ni, low), bias), 23);
    const result = f32x4.mul(f32x4.mul(y, p1), p2);
    return v128.bitselect(splat(Infinity), result, f32x4.gt(x, splat(EXP_MAX)));
  }

  /** eˣ − 1 without cancellation near 0 (Taylor series to x⁸ for |x| < ½). */
  @inline static expm1(x: v128): v128 {
    let p = splat(1.0 / 40320.0);
    p = f32x4.add(f32x4.mul(p, x), splat(1.0 / 5040.0));
    p = f32x4.add(f32x4.mul(p, x), splat(1.0 / 720.0));
    p = f32x4.add(f32x4.mul(p, x), splat(1.0 / 120.0));
    p = f32x4.add(f32x4.mul(p, x), splat(1.0 / 24.0));
    p = f32x4.add(f32x4.mul(p, x), splat(1.0 / 6.0));
    p = f32x4.add(f32x4.mul(p, x), splat(0.5));
    p = f32x4.add(f32x4.mul(f32x4.mul(p, x), x), x);
    const big = f32x4.sub(Lanes.exp(x), splat(1));
    return v128.bitselect(p, big, f32x4.lt(f32x4.abs(x), splat(0.5)));
  }

  /** Natural log of positive normal floats (Cephes logf). */
  @inline static log(x: v128): v128 {
    const bits = x;
    let e = f32x4.convert_i32x4_s(i32x4.sub(i32x4.shr_u(bits, 23), i32x4.splat(126)));
    // Mantissa in [½, 1).
    let m = v128.or(v128.and(bits, i32x4.splat(0x807fffff)), i32x4.splat(0x3f000000));
    const small = f32x4.lt(m, splat(<f32>Math.SQRT1_2));
    e = v128.bitselect(f32x4.sub(e, splat(1)), e, small);
    m = f32x4.sub(v128.bitselect(f32x4.add(m, m), m, small), splat(1));
    const z = f32x4.mul(m, m);
    let y = splat(7.0376836292e-2);
    y = f32x4.add(f32x4.mul(y, m), splat(-1.151461031e-1));
    y = f32x4.add(f32x4.mul(y, m), splat(1.167699874e-1));
    y = f32x4.add(f32x4.mul(y, m), splat(-1.2420140846e-1));
    y = f32x4.add(f32x4.mul(y, m), splat(1.4249322787e-1));
    y = f32x4.add(f32x4.mul(y, m), splat(-1.6668057665e-1));
    y = f32x4.add(f32x4.mul(y, m), splat(2.0000714765e-1));
    y = f32x4.add(f32x4.mul(y, m), splat(-2.4999993993e-1));
    y = f32x4.add(f32x4.mul(y, m), splat(3.3333331174e-1));
    y = f32x4.mul(f32x4.mul(y, m), z);
    y = f32x4.add(y, f32x4.mul(e, splat(LN2_LO)));
    y = f32x4.sub(y, f32x4.mul(z, splat(0.5)));
    return f32x4.add(f32x4.add(m, y), f32x4.mul(e, splat(LN2_HI)));
  }

  /** log(1 + x) for x ≥ 0, with Goldberg's correction log(u)·x/(u − 1), u = 1 + x. */
  @inline static log1p(x: v128): v128 {
    const u = f32x4.add(x, splat(1));
    const d = f32x4.sub(u, splat(1));
    const corrected = f32x4.div(f32x4.mul(Lanes.log(u), x), d);
    return v128.bitselect(x, corrected, f32x4.eq(d, splat(0)));
  }

  /**
   * tanh as the odd/even rational minimax approximation of Eigen's `generic_fast_tanh_float`
   * (clamped at ±7.9988, where tanh rounds to ±1; exact x below 4·10⁻⁴), within 3 ulp.
   */
  @inline static tanh(x0: v128): v128 {
    const x = f32x4.pmin(f32x4.pmax(x0, splat(-TANH_CLAMP)), splat(TANH_CLAMP));
    const x2 = f32x4.mul(x, x);
    const x4 = f32x4.mul(x2, x2);
    const x8 = f32x4.mul(x4, x4);
    const a = f32x4.add(f32x4.mul(x2, splat(6.37261928875436e-4)), splat(4.89352455891786e-3));
    const b = f32x4.add(f32x4.mul(x2, splat(5.12229709037114e-8)), splat(1.48572235717979e-5));
    const c = f32x4.add(f32x4.mul(x2, splat(2.00018790482477e-13)), splat(-8.60467152213735e-11));
    const high = f32x4.add(c, f32x4.mul(x4, splat(-2.76076847742355e-16)));
    const p = f32x4.mul(f32x4.add(f32x4.add(a, f32x4.mul(x4, b)), f32x4.mul(x8, high)), x);
    const q0 = f32x4.add(f32x4.mul(x2, splat(2.268434632439e-3)), splat(4.89352518554385e-3));
    const q1 = f32x4.add(f32x4.mul(x2, splat(1.19825839466702e-6)), splat(1.18534705686654e-4));
    const q = f32x4.add(q0, f32x4.mul(x4, q1));
    return v128.bitselect(x0, f32x4.div(p, q), f32x4.lt(f32x4.abs(x0), splat(4e-4)));
  }

  /** 1 / (1 + e⁻ˣ). */
  @inline static sigmoid(x: v128): v128 {
    return f32x4.div(splat(1), f32x4.add(splat(1), Lanes.exp(f32x4.neg(x))));
  }
}
