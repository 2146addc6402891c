/**
 * Bookkeeping shared by the sequence kernels. Layouts follow core's `kernels/sequence-inputs.ts`:
 * x `[B,T,I]` batch-major, workspaces `[T,B,·]` time-major indexed by input time,
 * mask `[B,T]` (non-zero = real step). Pointers are byte addresses, sizes in floats.
 */

/** Four lanes at p, or one lane (splat) at the ragged end of a row. */
export function ld(p: usize, full: bool): v128 {
  return full ? v128.load(p) : f32x4.splat(load<f32>(p));
}

export function st(p: usize, v: v128, full: bool): void {
  if (full) v128.store(p, v);
  else store<f32>(p, f32x4.extract_lane(v, 0));
}

/**
 * Carried gradients under 2⁻¹⁰⁰ in magnitude are flushed to zero. A recurrence's adjoint
 * decays geometrically through saturated gates, and once it nears the subnormal range every
 * product that follows produces subnormals, which x86 computes up to 75 times slower
 * (WebAssembly has no flush-to-zero mode; see min-rnn.ts for the measurements). 2⁻¹⁰⁰ leaves
 * 26 binary orders for the products' other factor, and a value that small cannot change a
 * float32 sum that any gradient above 2⁻⁷⁶ joins.
 */
export const FLUSH_BELOW: f32 = 7.888609052210118e-31; // 2⁻¹⁰⁰

/** 0 in each lane where |x| < 2⁻¹⁰⁰; NaN and ±∞ pass. */
export function flush(x: v128): v128 {
  return v128.andnot(x, f32x4.lt(f32x4.abs(x), f32x4.splat(FLUSH_BELOW)));
}

/** The scalar {@link flush}. */
export function flushOne(x: f32): f32 {
  return abs<f32>(x) < FLUSH_BELOW ? 0 : x;
}

/** Input time of processing step s. */
export function timeAt(s: i32, time: i32, reverse: bool): i32 {
  return reverse ? time - 1 - s : s;
}

export function isReal(mask: usize, b: i32, t: i32, time: i32): bool {
  return load<f32>(mask + <usize>(b * time + t) * 4) !== 0;
}

export function rowPtr(base: usize, row: i32, width: i32): usize {
  return base + <usize>row * <usize>width * 4;
}

/** `[B,T,w]` → `[T,B,w]`. */
export function toTimeMajor(x: usize, batch: i32, time: i32, width: i32, out: usize): void {
  const bytes = <usize>width * 4;
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < time; t++)
      memory.copy(rowPtr(out, t * batch + b, width), rowPtr(x, b * time + t, width), bytes);
  }
}

/** `[T,B,w]` → `[B,T,w]`. */
export function toBatchMajor(x: usize, batch: i32, time: i32, width: i32, out: usize): void {
  const bytes = <usize>width * 4;
  for (let t = 0; t < time; t++) {
    for (let b = 0; b < batch; b++)
      memory.copy(rowPtr(out, b * time + t, width), rowPtr(x, t * batch + b, width), bytes);
  }
}

/** Copies `values [n]` into the first n columns of each of `rows` rows of width `ld`. */
export function fillRows(values: usize, n: i32, rows: i32, out: usize, ld: i32): void {
  const bytes = <usize>n * 4;
  for (let r = 0; r < rows; r++) memory.copy(rowPtr(out, r, ld), values, bytes);
}

/** The state step t started from: the initial state for the first processed step, else the previous step's. */
export function previousState(
  states: usize,
  initial: usize,
  s: i32,
  time: i32,
  batch: i32,
  units: i32,
  reverse: bool,
): usize {
  return s === 0 ? initial : rowPtr(states, timeAt(s - 1, time, reverse) * batch, units);
}

/** `[T·B, H]` time-major: the state each step started from. */
export function previousStates(
  states: usize,
  initial: usize,
  batch: i32,
  time: i32,
  units: i32,
  reverse: bool,
  out: usize,
): void {
  const bytes = <usize>(batch * units) * 4;
  for (let s = 0; s < time; s++) {
    const t = timeAt(s, time, reverse);
    memory.copy(rowPtr(out, t * batch, units), previousState(states, initial, s, time, batch, units, reverse), bytes);
  }
}

/**
 * `ys [B,T,H]` from the states `hs [T,B,H]`: 'zeros' emits real steps only; 'previous'
 * every step at or after the row's first real step in processing order (a padded step
 * keeps the state, so the state there is the last real output).
 */
export function emitOutputs(
  hs: usize,
  mask: usize,
  batch: i32,
  time: i32,
  units: i32,
  reverse: bool,
  zeros: bool,
  ys: usize,
): void {
  const bytes = <usize>units * 4;
  for (let b = 0; b < batch; b++) {
    let seen = false;
    for (let s = 0; s < time; s++) {
      const t = timeAt(s, time, reverse);
      const real = isReal(mask, b, t, time);
      seen = seen || real;
      const out = rowPtr(ys, b * time + t, units);
      if (zeros ? real : seen) memory.copy(out, rowPtr(hs, t * batch + b, units), bytes);
      else memory.fill(out, 0, bytes);
    }
  }
}

/** Processing index of each row's first real step (`time` when none), as i32 `[B]`. */
export function firstRealSteps(mask: usize, batch: i32, time: i32, reverse: bool, out: usize): void {
  for (let b = 0; b < batch; b++) {
    let first = time;
    for (let s = time - 1; s >= 0; s--) if (isReal(mask, b, timeAt(s, time, reverse), time)) first = s;
    store<i32>(out + <usize>b * 4, first);
  }
}

/** Whether processing step s of row b receives its output's gradient (see `emitOutputs`). */
export function emitted(firstReal: usize, b: i32, s: i32, real: bool, zeros: bool): bool {
  return zeros ? real : s >= load<i32>(firstReal + <usize>b * 4);
}

/** out[j] = Σ_r m[r, j] over `rows` rows of width `stride`, first n columns, summed in doubles. */
export function columnSums(m: usize, rows: i32, n: i32, stride: i32, out: usize): void {
  for (let j = 0; j < n; ) {
    const full = j + 4 <= n;
    let low = f64x2.splat(0);
    let high = f64x2.splat(0);
    for (let r = 0; r < rows; r++) {
      const v = ld(rowPtr(m, r, stride) + <usize>j * 4, full);
      low = f64x2.add(low, f64x2.promote_low_f32x4(v));
      high = f64x2.add(high, f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1)));
    }
    st(
      out + <usize>j * 4,
      v128.shuffle<f32>(f32x4.demote_f64x2_zero(low), f32x4.demote_f64x2_zero(high), 0, 1, 4, 5),
      full,
    );
    j += full ? 4 : 1;
  }
}
