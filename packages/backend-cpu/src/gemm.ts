/**
 * Single-precision matrix product on Float32Arrays, C = α·op(A)·op(B) + β·C, row-major
 * with leading dimensions, as BLAS `sgemm`. tfjs' cpu matMul runs at about 0.9 GFLOP/s
 * on this kind of machine; this one packs panels of op(A) and op(B) so the inner loop
 * reads both contiguously, and keeps a 4×2 block of C in locals (see `micro4x2`).
 * Accumulation is in doubles (JavaScript numbers): each element of C sums its 256-deep
 * panel's products in order from zero, then is rounded once when added to C, whatever
 * the tile, so the tile's shape changes the speed and never a result.
 */
import { type GemmArgs, KC, MR, NR, type PackedB, roundUp } from './gemm-layout.js';
import { rowsOnPanels, smallM } from './gemm-rows.js';

export type { GemmArgs, PackedB } from './gemm-layout.js';

/** B's panel then A's panel for a call without `packedB`. */
let scratch = new Float64Array(0);

export function gemm(args: GemmArgs): void {
  const { transA, transB, m, n, k, a, lda, b, ldb, c, ldc } = args;
  const alpha = args.alpha ?? 1;
  const beta = args.beta ?? 0;
  const ao = args.aOffset ?? 0;
  const bo = args.bOffset ?? 0;
  const co = args.cOffset ?? 0;
  if (beta !== 1) {
    for (let i = 0; i < m; i++) {
      const row = co + i * ldc;
      if (beta === 0) c.fill(0, row, row + n);
      else for (let j = 0; j < n; j++) c[row + j] = (c[row + j] as number) * beta;
    }
  }
  if (m === 0 || n === 0 || k === 0) return;
  if (m <= 2 && !transA) {
    const packed = matchingPacking(args);
    if (packed === undefined) smallM(args, alpha);
    else rowsOnPanels(args, alpha, packed);
    return;
  }
  const mPad = roundUp(m, MR);
  const nPad = roundUp(n, NR);
  const packed = matchingPacking(args);
  for (let p0 = 0; p0 < k; p0 += KC) {
    const kc = Math.min(KC, k - p0);
    const [store, bAt, aAt] = panelStore(packed, p0, kc, mPad, nPad);
    if (packed === undefined) packPanel(store, bAt, transB, b, bo, ldb, p0, kc, n);
    packA(store, aAt, { transA, m, a, ao, lda, alpha }, p0, kc, mPad);
    for (let i0 = 0; i0 < m; i0 += MR) {
      const rows = Math.min(MR, m - i0);
      for (let j0 = 0; j0 < n; j0 += NR) {
        const at = co + i0 * ldc + j0;
        const cols = Math.min(NR, n - j0);
        micro4x2(store, aAt + i0 * kc, bAt + j0 * kc, kc, c, at, ldc, rows, cols);
      }
    }
  }
}

/**
 * One array that holds this panel's op(B) (the packed one, or packed into `scratch`) and
 * op(A), and where each starts: with both in one Float64Array, V8 checks one array's map
 * and loads one base pointer per iteration of `micro4x2`'s loop instead of two (about 5 %
 * of a product, measured on W1's).
 */
function panelStore(
  packed: PackedB | undefined,
  p0: number,
  kc: number,
  mPad: number,
  nPad: number,
): [Float64Array, number, number] {
  if (packed === undefined) {
    if (scratch.length < (nPad + mPad) * kc) scratch = new Float64Array((nPad + mPad) * KC);
    return [scratch, 0, nPad * kc];
  }
  const bLength = nPad * packed.k;
  if (packed.panels.length < bLength + mPad * kc) {
    const grown = new Float64Array(bLength + mPad * KC);
    grown.set(packed.panels.subarray(0, bLength));
    packed.panels = grown;
  }
  return [packed.panels, p0 * nPad, bLength];
}

/**
 * Packs α·op(A)[:, p0:p0+kc] at `at` as 4-row panels, k-major within each:
 * to[at + (i/4)·4kc + p·4 + i%4], each panel written in order (as `packPanel`).
 */
function packA(
  to: Float64Array,
  at: number,
  op: { transA: boolean; m: number; a: Float32Array; ao: number; lda: number; alpha: number },
  p0: number,
  kc: number,
  mPad: number,
): void {
  const { transA, m, a, ao, lda, alpha } = op;
  // Element (i, p) of op(A)[:, p0:], p from 0, is at a[first + i·across + p·along].
  const [along, across] = transA ? [lda, 1] : [1, lda];
  const first = ao + p0 * along;
  for (let i = 0; i < mPad; i += MR) {
    const panel = at + i * kc;
    const a0 = first + i * across;
    if (i + MR <= m) {
      for (let p = 0; p < kc; p++) {
        const q = a0 + p * along;
        to[panel + p * MR] = alpha * (a[q] as number);
        to[panel + p * MR + 1] = alpha * (a[q + across] as number);
        to[panel + p * MR + 2] = alpha * (a[q + 2 * across] as number);
        to[panel + p * MR + 3] = alpha * (a[q + 3 * across] as number);
      }
    } else {
      // The last panel: its rows past m are zeros.
      for (let p = 0; p < kc; p++) {
        for (let r = 0; r < MR; r++)
          to[panel + p * MR + r] = i + r < m ? alpha * (a[a0 + p * along + r * across] as number) : 0;
      }
    }
  }
}

/**
 * Packs op(B)[p0:p0+kc, :] at `at` in `to` as 2-column panels, zero-padded to an even
 * number of columns: to[at + (j/2)·2kc + p·2 + j%2]. Each panel is written in order, from
 * B's rows (untransposed) or columns (transposed): writing B's row at once instead would
 * scatter it over n/2 panels, twice as slow for W1's 1024 columns.
 */
function packPanel(
  to: Float64Array,
  at: number,
  transB: boolean,
  b: Float32Array,
  bo: number,
  ldb: number,
  p0: number,
  kc: number,
  n: number,
): void {
  // Element (p, j) of op(B)[p0:, :], p from 0, is at b[first + p·along + j·across].
  const [along, across] = transB ? [1, ldb] : [ldb, 1];
  const first = bo + p0 * along;
  for (let j = 0; j < n; j += NR) {
    const panel = at + j * kc;
    const b0 = first + j * across;
    if (j + 1 < n) {
      for (let p = 0; p < kc; p++) {
        to[panel + p * NR] = b[b0 + p * along] as number;
        to[panel + p * NR + 1] = b[b0 + p * along + across] as number;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        to[panel + p * NR] = b[b0 + p * along] as number;
        to[panel + p * NR + 1] = 0;
      }
    }
  }
}

/**
 * op(B), `k` × `n`, packed once for many `gemm` calls (`GemmArgs.packedB`): a recurrent
 * kernel, for every step. Every row count uses it: one or two rows (batch-1 steps) read
 * its panels eight columns at a time (`rowsOnPanels`), 3× faster in V8 than a plain
 * row-times-matrix loop (W3's 1×32 · 32×128 step: 7.2 → 2.0–2.4 µs).
 */
export function packB(
  b: { readonly transB: boolean; readonly k: number; readonly n: number },
  values: Float32Array,
  bOffset: number,
  ldb: number,
  /** The rows of the products it serves: room for their op(A) panel after B's (none for one or two). */
  rows: number,
): PackedB {
  const { transB, k, n } = b;
  const nPad = roundUp(n, NR);
  const panels = new Float64Array(nPad * k + (rows > 2 ? roundUp(rows, MR) * KC : 0));
  for (let p0 = 0; p0 < k; p0 += KC)
    packPanel(panels, p0 * nPad, transB, values, bOffset, ldb, p0, Math.min(KC, k - p0), n);
  return { transB, k, n, panels };
}

/** `args.packedB` where it was packed from a B of this shape: a packing of another B would give wrong sums silently. */
function matchingPacking(args: GemmArgs): PackedB | undefined {
  const given = args.packedB;
  return given?.k === args.k && given.n === args.n && given.transB === args.transB ? given : undefined;
}

/**
 * C[ic…, 4 rows × 2 columns] += the tile's products over one panel, A's panel at `ia` and
 * B's at `ib`, both in `p`. Why 4×2, when a 4×4 tile makes 2 multiply-adds per load
 * rather than 1.33: V8 keeps only 15 doubles in registers, so a 4×4 tile (16
 * accumulators, 4 + 4 operands) spills most accumulators to the stack at every step of
 * the loop; 8 accumulators stay in registers. Measured alone on W1's products (one
 * thread, CPU time, best of 9): 5.5–6.0 GFLOP/s against 4.8–5.1 for the 4×4 tile in two
 * arrays; 2×4 5.3–5.8, 8×2 and 4×8 4.7–5.5, and unrolling the loop twice lost 5–10 %.
 * The index arithmetic is truncated (`| 0`): int32 adds without overflow checks.
 */
function micro4x2(
  p: Float64Array,
  ia: number,
  ib: number,
  kc: number,
  c: Float32Array,
  ic: number,
  ldc: number,
  rows: number,
  cols: number,
): void {
  let c00 = 0;
  let c01 = 0;
  let c10 = 0;
  let c11 = 0;
  let c20 = 0;
  let c21 = 0;
  let c30 = 0;
  let c31 = 0;
  const end = ia + kc * MR;
  for (let x = ia, y = ib; x < end; x = (x + 4) | 0, y = (y + 2) | 0) {
    const a0 = p[x] as number;
    const a1 = p[(x + 1) | 0] as number;
    const a2 = p[(x + 2) | 0] as number;
    const a3 = p[(x + 3) | 0] as number;
    const b0 = p[y] as number;
    const b1 = p[(y + 1) | 0] as number;
    c00 += a0 * b0;
    c01 += a0 * b1;
    c10 += a1 * b0;
    c11 += a1 * b1;
    c20 += a2 * b0;
    c21 += a2 * b1;
    c30 += a3 * b0;
    c31 += a3 * b1;
  }
  if (rows === MR && cols === NR) {
    let o = ic;
    c[o] = (c[o] as number) + c00;
    c[o + 1] = (c[o + 1] as number) + c01;
    o += ldc;
    c[o] = (c[o] as number) + c10;
    c[o + 1] = (c[o + 1] as number) + c11;
    o += ldc;
    c[o] = (c[o] as number) + c20;
    c[o + 1] = (c[o + 1] as number) + c21;
    o += ldc;
    c[o] = (c[o] as number) + c30;
    c[o + 1] = (c[o + 1] as number) + c31;
    return;
  }
  // An edge tile: only its real rows and columns.
  const sums = [c00, c01, c10, c11, c20, c21, c30, c31];
  for (let r = 0; r < rows; r++) {
    const o = ic + r * ldc;
    for (let s = 0; s < cols; s++) c[o + s] = (c[o + s] as number) + (sums[r * NR + s] as number);
  }
}
