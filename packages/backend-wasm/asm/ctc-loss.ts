/**
 * Fused `RecurCtcLoss` and its gradient (core's `kernels/ctc-lattice.ts` is the oracle;
 * backend-cpu's `ctc-lattice.ts` is the same loop in JavaScript): per row, α and β of
 * Graves et al. 2006, §4.1–4.2, in float64 and log space over the float32
 * log-probabilities `[B, T, C]` in place. Labels `[B, W]` int32 (row b's label its first
 * `labelLengths[b]` ids), lengths `[B]` int32. The lattice is sequential in time and
 * branches per state, so it stays scalar: O(T·L) per row, far below the network feeding it.
 * With fdlibm's exp and log1p, as V8's `Math`, and the cpu loop's order of operations,
 * losses and gradients equal the cpu backend's bit for bit.
 */
import { next } from './scratch';

// fdlibm's e_exp.c (Sun Microsystems 1993), the exp of V8's `Math.exp`, so that the
// losses and gradients here equal the cpu backend's to the bit.
const LN2_HI: f64 = 0.6931471803691238;
const LN2_LO: f64 = 1.9082149292705877e-10;
const P1: f64 = 1.6666666666666602e-1;
const P2: f64 = -2.7777777777015593e-3;
const P3: f64 = 6.613756321437934e-5;
const P4: f64 = -1.6533902205465252e-6;
const P5: f64 = 4.1381367970572385e-8;
const O_THRESHOLD: f64 = 709.782712893384;
const U_THRESHOLD: f64 = -745.1332191019411;

/** 2ᵏ for k in [−1022, 1023]. */
function pow2(k: i32): f64 {
  return reinterpret<f64>((<i64>(k + 1023)) << 52);
}

/**
 * eˣ without tables (the module may carry no data segment, and AssemblyScript's
 * `Math.exp` at -O3 reads one): x = k·ln 2 + r, |r| ≤ ln 2 / 2, eʳ from a rational
 * approximation (fdlibm, error below 1 ulp).
 */
export function exp64(x: f64): f64 {
  // biome-ignore lint/suspicious/noGlobalIsNan: AssemblyScript's builtin, typed f64.
  if (isNaN<f64>(x)) return x;
  if (x > O_THRESHOLD) return Infinity;
  if (x < U_THRESHOLD) return 0;
  const hx = <u32>(reinterpret<u64>(x) >> 32) & 0x7fffffff;
  const negative = x < 0;
  let hi: f64 = 0;
  let lo: f64 = 0;
  let k: i32 = 0;
  if (hx > 0x3fd62e42) {
    if (hx < 0x3ff0a2b2) {
      if (x === 1.0) return Math.E;
      hi = negative ? x + LN2_HI : x - LN2_HI;
      lo = negative ? -LN2_LO : LN2_LO;
      k = negative ? -1 : 1;
    } else {
      k = <i32>(Math.LOG2E * x + (negative ? -0.5 : 0.5));
      const t = <f64>k;
      hi = x - t * LN2_HI;
      lo = t * LN2_LO;
    }
    x = hi - lo;
  } else if (hx < 0x3e300000) {
    return 1.0 + x;
  }
  const t = x * x;
  const c = x - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
  if (k === 0) return 1.0 - ((x * c) / (c - 2.0) - x);
  const y = 1.0 - (lo - (x * c) / (2.0 - c) - hi);
  if (k === 1024) return y * 2.0 * pow2(1023);
  return k >= -1021 ? y * pow2(k) : y * pow2(k + 1000) * pow2(-1000);
}

/** ln(eᵃ + eᵇ). */
function logAdd(a: f64, b: f64): f64 {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  return a > b ? a + Math.log1p(exp64(b - a)) : b + Math.log1p(exp64(a - b));
}

/** Row b's l' (blank, l_1, blank, …, l_L, blank) into `ext`; returns its length S. */
function extend(labels: usize, width: i32, b: i32, length: i32, blank: i32, ext: usize): i32 {
  store<i32>(ext, blank);
  for (let i = 0; i < length; i++) {
    store<i32>(ext + ((<usize>(2 * i + 1)) << 2), load<i32>(labels + ((<usize>(b * width + i)) << 2)));
    store<i32>(ext + ((<usize>(2 * i + 2)) << 2), blank);
  }
  return 2 * length + 1;
}

function extAt(ext: usize, s: i32): i32 {
  return load<i32>(ext + ((<usize>s) << 2));
}

/** Whether the path may enter s from s − 2: s a label unlike the label before it. */
function canSkip(ext: usize, s: i32, blank: i32): bool {
  return s >= 2 && extAt(ext, s) !== blank && extAt(ext, s) !== extAt(ext, s - 2);
}

function f64At(base: usize, i: i32): f64 {
  return load<f64>(base + ((<usize>i) << 3));
}

function setF64(base: usize, i: i32, v: f64): void {
  store<f64>(base + ((<usize>i) << 3), v);
}

/** log y_t(l'_s) of the row starting at `row`. */
function emission(row: usize, classes: i32, ext: usize, t: i32, s: i32): f64 {
  return <f64>load<f32>(row + ((<usize>(t * classes + extAt(ext, s))) << 2));
}

/** log α_t for t < n into `alpha` rows of S (`stride` apart); returns ln p, −∞ when no alignment exists. */
function alphas(row: usize, classes: i32, n: i32, ext: usize, S: i32, blank: i32, alpha: usize, stride: i32): f64 {
  for (let t = 0; t < n; t++) {
    const cur = alpha + ((<usize>((t % stride) * S)) << 3);
    const prev = alpha + ((<usize>(((t + stride - 1) % stride) * S)) << 3);
    for (let s = 0; s < S; s++) {
      let a: f64;
      if (t === 0) a = s < 2 ? 0 : -Infinity;
      else {
        a = logAdd(f64At(prev, s), s >= 1 ? f64At(prev, s - 1) : -Infinity);
        if (canSkip(ext, s, blank)) a = logAdd(a, f64At(prev, s - 2));
      }
      setF64(cur, s, a === -Infinity ? -Infinity : a + emission(row, classes, ext, t, s));
    }
  }
  const last = alpha + ((<usize>(((n - 1) % stride) * S)) << 3);
  return logAdd(f64At(last, S - 1), S >= 2 ? f64At(last, S - 2) : -Infinity);
}

/** Bytes of scratch `ctcLossForward` carves: two α rows and l'. */
export function ctcLossForwardScratch(width: i32): i32 {
  const S = 2 * width + 1;
  return <i32>next(next(0, S * 8 * 2), S * 4);
}

/** `losses [B]`: −ln p per row, +∞ (0 with `zeroInfinity`) where no alignment exists. */
export function ctcLossForward(
  batch: i32,
  time: i32,
  classes: i32,
  width: i32,
  logProbs: usize,
  labels: usize,
  inputLengths: usize,
  labelLengths: usize,
  blank: i32,
  zeroInfinity: bool,
  scratch: usize,
  losses: usize,
): void {
  const alpha = scratch;
  const ext = next(alpha, (2 * width + 1) * 8 * 2);
  for (let b = 0; b < batch; b++) {
    const n = load<i32>(inputLengths + ((<usize>b) << 2));
    const m = load<i32>(labelLengths + ((<usize>b) << 2));
    const S = extend(labels, width, b, m, blank, ext);
    const row = logProbs + ((<usize>(b * time * classes)) << 2);
    let nll: f64 = n === 0 ? (m === 0 ? 0 : Infinity) : -alphas(row, classes, n, ext, S, blank, alpha, 2);
    // biome-ignore lint/suspicious/noGlobalIsFinite: AssemblyScript's builtin, typed f64.
    if (!isFinite<f64>(nll) && zeroInfinity) nll = 0;
    store<f32>(losses + ((<usize>b) << 2), <f32>nll);
  }
}

/** Bytes of scratch `ctcLossBackward` carves: α for every step, two β rows, one value per class, l'. */
export function ctcLossBackwardScratch(time: i32, classes: i32, width: i32): i32 {
  const S = 2 * width + 1;
  return <i32>next(next(next(next(0, time * S * 8), S * 8 * 2), classes * 8), S * 4);
}

/**
 * `grad [B, T, C]` = dlosses[b] · ∂(−ln p)/∂logProbs = −dlosses[b] Σ_{s: l'_s = k} α_t(s) β_t(s) / (y_t(k) p)
 * (eq. 14–16, both α and β holding y_t(l'_s)); zero past each row's length and on rows
 * with no alignment.
 */
export function ctcLossBackward(
  batch: i32,
  time: i32,
  classes: i32,
  width: i32,
  logProbs: usize,
  labels: usize,
  inputLengths: usize,
  labelLengths: usize,
  dlosses: usize,
  blank: i32,
  scratch: usize,
  grad: usize,
): void {
  const S0 = 2 * width + 1;
  const alpha = scratch;
  const beta = next(alpha, time * S0 * 8);
  const byClass = next(beta, S0 * 8 * 2);
  const ext = next(byClass, classes * 8);
  memory.fill(grad, 0, (<usize>(batch * time * classes)) << 2);
  for (let b = 0; b < batch; b++) {
    const n = load<i32>(inputLengths + ((<usize>b) << 2));
    if (n === 0) continue;
    const S = extend(labels, width, b, load<i32>(labelLengths + ((<usize>b) << 2)), blank, ext);
    const row = logProbs + ((<usize>(b * time * classes)) << 2);
    const out = grad + ((<usize>(b * time * classes)) << 2);
    const logP = alphas(row, classes, n, ext, S, blank, alpha, n);
    if (logP === -Infinity) continue;
    const scale = <f64>load<f32>(dlosses + ((<usize>b) << 2));
    // Classes outside l' get 0 · dloss, signed as the cpu backend's.
    const zero = <f32>(0.0 * scale);
    for (let i = 0; i < n * classes; i++) store<f32>(out + ((<usize>i) << 2), zero);
    for (let t = n - 1; t >= 0; t--) {
      const cur = beta + ((<usize>((t % 2) * S)) << 3);
      const later = beta + ((<usize>(((t + 1) % 2) * S)) << 3);
      const a = alpha + ((<usize>(t * S)) << 3);
      for (let s = 0; s < S; s++) {
        let v: f64;
        if (t === n - 1) v = s >= S - 2 ? 0 : -Infinity;
        else {
          v = logAdd(f64At(later, s), s + 1 < S ? f64At(later, s + 1) : -Infinity);
          if (s + 2 < S && canSkip(ext, s + 2, blank)) v = logAdd(v, f64At(later, s + 2));
        }
        setF64(cur, s, v === -Infinity ? -Infinity : v + emission(row, classes, ext, t, s));
        setF64(byClass, extAt(ext, s), -Infinity);
      }
      // Σ_{s: l'_s = k} α_t(s) β_t(s) per class, in log space, in the order of s.
      for (let s = 0; s < S; s++) {
        const k = extAt(ext, s);
        setF64(byClass, k, logAdd(f64At(byClass, k), f64At(a, s) + f64At(cur, s)));
      }
      for (let s = 0; s < S; s++) {
        const k = extAt(ext, s);
        const ly = <f64>load<f32>(row + ((<usize>(t * classes + k)) << 2));
        const logAB = f64At(byClass, k);
        // As y_t(k) → 0 the term α β / y (a product holding y once) → 0 too.
        const g = (ly === -Infinity || logAB === -Infinity ? 0 : -exp64(logAB - ly - logP)) * scale;
        store<f32>(out + ((<usize>(t * classes + k)) << 2), <f32>g);
      }
    }
  }
}
