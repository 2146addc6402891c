/**
 * Fused `RecurCtcLoss` and its gradient (core's `kernels/ctc-lattice.ts` is the oracle;
 * backend-cpu's `ctc-lattice.ts` is the same loop in JavaScript): per row, α and β of
 * Graves et al. 2006, §4.1–4.2, in float64 and log space over the float32
 * log-probabilities `[B, T, C]` in place. Labels `[B, W]` int32 (row b's label its first
 * `labelLengths[b]` ids), lengths `[B]` int32. The lattice is sequential in time and
 * branches per state, so it stays scalar: O(T·L) per row, far below the network feeding it.
 */
import { next } from './scratch';

// ln 2 split in two (fdlibm) so that x − n·ln 2 is exact for the exponent range here.
const LN2_HI: f64 = 0.6931471803691238;
const LN2_LO: f64 = 1.9082149292705877e-10;

/** 2ᵏ for k in [−1022, 1023]. */
function pow2(k: i32): f64 {
  return reinterpret<f64>((<i64>(k + 1023)) << 52);
}

/**
 * eˣ without tables (the module may carry no data segment, so not AssemblyScript's
 * `Math.exp`): x = n·ln 2 + r, |r| ≤ ln 2 / 2, and eʳ by its Taylor series to r¹³
 * (remainder below 5·10⁻¹⁸).
 */
function exp64(x: f64): f64 {
  if (x < -745.2) return 0;
  if (x > 709.7) return Infinity;
  const n = nearest<f64>(x * Math.LOG2E);
  const r = x - n * LN2_HI - n * LN2_LO;
  let p: f64 = 1.0 / 6227020800.0;
  p = p * r + 1.0 / 479001600.0;
  p = p * r + 1.0 / 39916800.0;
  p = p * r + 1.0 / 3628800.0;
  p = p * r + 1.0 / 362880.0;
  p = p * r + 1.0 / 40320.0;
  p = p * r + 1.0 / 5040.0;
  p = p * r + 1.0 / 720.0;
  p = p * r + 1.0 / 120.0;
  p = p * r + 1.0 / 24.0;
  p = p * r + 1.0 / 6.0;
  p = p * r + 0.5;
  p = p * r + 1.0;
  p = p * r + 1.0;
  const k = <i32>n;
  // Below 2⁻¹⁰²² the result is subnormal: scale in two steps.
  return k < -1021 ? p * pow2(k + 1000) * pow2(-1000) : p * pow2(k);
}

/**
 * ln(1 + u) for u in [0, 1], the range log-add-exp needs: with s = u / (2 + u) ≤ 1/3,
 * ln(1 + u) = 2 atanh s = 2 (s + s³/3 + s⁵/5 + …), to s³⁷ (remainder below 10⁻¹⁸); no
 * cancellation for small u, unlike ln(1 + u) computed as written.
 */
function log1p01(u: f64): f64 {
  const s = u / (2.0 + u);
  const z = s * s;
  let p: f64 = 1.0 / 37.0;
  for (let k = 35; k >= 1; k -= 2) p = p * z + 1.0 / <f64>k;
  return 2.0 * s * p;
}

/** ln(eᵃ + eᵇ). */
function logAdd(a: f64, b: f64): f64 {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  return a > b ? a + log1p01(exp64(b - a)) : b + log1p01(exp64(a - b));
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
        const g = ly === -Infinity || logAB === -Infinity ? 0 : -exp64(logAB - ly - logP) * scale;
        store<f32>(out + ((<usize>(t * classes + k)) << 2), <f32>g);
      }
    }
  }
}
