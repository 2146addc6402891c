/**
 * gemm's products of one or two rows of op(A) (batch-1 and batch-2 recurrent steps), where a
 * 4-row tile would waste most of its work: on a packed op(B) eight columns at a time, or on
 * B as it is. Each element sums the whole depth in order in a double, added to C once.
 */
import { type GemmArgs, KC, NR, type PackedB, roundUp } from './gemm-layout.js';

/** A row of op(A) (rowsOnPanels), or a row's sums (smallM). */
let scratchRow = new Float64Array(0);

/**
 * One or two rows of op(A) times a packed op(B), eight columns (four 2-column panels) at a
 * time: eight independent sums hide the add latency that fewer leave exposed (a 1×32 ·
 * 32×128 step: 2.5 µs with four, 2.0 with eight, 2.1 with sixteen; CPU time in V8). Each
 * element is summed over the whole depth in p order in a double and added to C once, as
 * `smallM` sums it (not per 256-deep panel as the tiles do), so packing moves no result.
 */
export function rowsOnPanels(args: GemmArgs, alpha: number, packed: PackedB): void {
  const { m, n, k, a, lda, c, ldc } = args;
  const ao = args.aOffset ?? 0;
  const co = args.cOffset ?? 0;
  if (scratchRow.length < k) scratchRow = new Float64Array(k);
  const ar = scratchRow;
  for (let i = 0; i < m; i++) {
    const arow = ao + i * lda;
    for (let p = 0; p < k; p++) ar[p] = alpha * (a[arow + p] as number);
    const crow = co + i * ldc;
    let j0 = 0;
    for (; j0 + 8 <= n; j0 += 8) eightColumns(ar, packed, j0, c, crow + j0);
    for (; j0 < n; j0 += NR) twoColumns(ar, packed, j0, c, crow + j0, n - j0);
  }
}

/** C[o … o+8) += a · op(B)'s columns j0 … j0+8 (four 2-column panels, 2·kc apart in each k-panel). */
function eightColumns(ar: Float64Array, packed: PackedB, j0: number, c: Float32Array, o: number): void {
  const { k, panels: pb } = packed;
  const nPad = roundUp(packed.n, NR);
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let s4 = 0;
  let s5 = 0;
  let s6 = 0;
  let s7 = 0;
  for (let p0 = 0; p0 < k; p0 += KC) {
    const kc = Math.min(KC, k - p0);
    const d1 = 2 * kc;
    const d2 = 4 * kc;
    const d3 = 6 * kc;
    let y = p0 * nPad + j0 * kc;
    for (let p = p0; p < p0 + kc; p++, y += 2) {
      const ap = ar[p] as number;
      s0 += ap * (pb[y] as number);
      s1 += ap * (pb[y + 1] as number);
      s2 += ap * (pb[y + d1] as number);
      s3 += ap * (pb[y + d1 + 1] as number);
      s4 += ap * (pb[y + d2] as number);
      s5 += ap * (pb[y + d2 + 1] as number);
      s6 += ap * (pb[y + d3] as number);
      s7 += ap * (pb[y + d3 + 1] as number);
    }
  }
  c[o] = (c[o] as number) + s0;
  c[o + 1] = (c[o + 1] as number) + s1;
  c[o + 2] = (c[o + 2] as number) + s2;
  c[o + 3] = (c[o + 3] as number) + s3;
  c[o + 4] = (c[o + 4] as number) + s4;
  c[o + 5] = (c[o + 5] as number) + s5;
  c[o + 6] = (c[o + 6] as number) + s6;
  c[o + 7] = (c[o + 7] as number) + s7;
}

/** C[o, o+1) (`cols` of them real) += a · the 2-column panel from column j0: the columns past the last eight. */
function twoColumns(ar: Float64Array, packed: PackedB, j0: number, c: Float32Array, o: number, cols: number): void {
  const { k, panels: pb } = packed;
  const nPad = roundUp(packed.n, NR);
  let s0 = 0;
  let s1 = 0;
  for (let p0 = 0; p0 < k; p0 += KC) {
    const kc = Math.min(KC, k - p0);
    let y = p0 * nPad + j0 * kc;
    for (let p = p0; p < p0 + kc; p++, y += 2) {
      const ap = ar[p] as number;
      s0 += ap * (pb[y] as number);
      s1 += ap * (pb[y + 1] as number);
    }
  }
  c[o] = (c[o] as number) + s0;
  if (cols > 1) c[o + 1] = (c[o + 1] as number) + s1;
}

/**
 * One or two rows of op(A) (batch-1 or batch-2 steps) with B unpacked: packing would cost
 * more than the product, and a 4-row block would waste most of its work. Reads B row-wise
 * (axpy over B's rows) or, transposed, as dot products of B's rows: contiguous either way.
 */
export function smallM(args: GemmArgs, alpha: number): void {
  const { transB, m, n, k, a, lda, b, ldb, c, ldc } = args;
  const ao = args.aOffset ?? 0;
  const bo = args.bOffset ?? 0;
  const co = args.cOffset ?? 0;
  for (let i = 0; i < m; i++) {
    const arow = ao + i * lda;
    const crow = co + i * ldc;
    if (transB) {
      for (let j = 0; j < n; j++) {
        const brow = bo + j * ldb;
        let s = 0;
        for (let p = 0; p < k; p++) s += (a[arow + p] as number) * (b[brow + p] as number);
        c[crow + j] = (c[crow + j] as number) + alpha * s;
      }
    } else {
      if (scratchRow.length < n) scratchRow = new Float64Array(n);
      const acc = scratchRow;
      acc.fill(0, 0, n);
      for (let p = 0; p < k; p++) {
        const ap = alpha * (a[arow + p] as number);
        if (ap === 0) continue;
        const brow = bo + p * ldb;
        for (let j = 0; j < n; j++) acc[j] = (acc[j] as number) + ap * (b[brow + j] as number);
      }
      for (let j = 0; j < n; j++) c[crow + j] = (c[crow + j] as number) + (acc[j] as number);
    }
  }
}
