/**
 * A block of a batched matrix product, as plain array code (the pool's workers bundle
 * it): rows `[first, first + count)` of the output seen as `[batch·m, n]`, columns
 * `[column, column + columns)`, each matrix's share through gemm.ts. Every output
 * element is summed the same way whichever block holds it, so a split changes nothing
 * but who computes it (gemm.ts' one- and two-row path aside, which a block of a multiple
 * of 4 rows avoids).
 */
import { gemm } from '../gemm.js';

export interface MatMulArrays {
  readonly a: Float32Array;
  readonly b: Float32Array;
  /** The whole output `[batch, m, n]`; only this block's rows are written. */
  readonly c: Float32Array;
  /** Which matrix of `a` and of `b` each output matrix reads (numpy broadcasting). */
  readonly aIndex: Int32Array;
  readonly bIndex: Int32Array;
}

export interface MatMulDims {
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly transA: boolean;
  readonly transB: boolean;
  /** The block's first row and row count in the output seen as `[batch·m, n]`. */
  readonly first: number;
  readonly count: number;
  /** The block's first column and column count. */
  readonly column: number;
  readonly columns: number;
}

/** Writes the block of C = op(A)·op(B) into `v.c`; returns no arrays (the output is written in place). */
export function matMulRows(v: MatMulArrays, d: MatMulDims, _attrs?: unknown): Record<string, Float32Array> {
  const { m, n, k, transA, transB, first, count, column, columns } = d;
  const end = first + count;
  for (let row = first; row < end; ) {
    const matrix = Math.floor(row / m);
    const r0 = row - matrix * m;
    const rows = Math.min(m - r0, end - row);
    const a = (v.aIndex[matrix] as number) * m * k;
    gemm({
      transA,
      transB,
      m: rows,
      n: columns,
      k,
      a: v.a,
      // op(A)'s row r0 starts r0 rows down A, or r0 columns across Aᵀ.
      aOffset: a + (transA ? r0 : r0 * k),
      lda: transA ? m : k,
      b: v.b,
      // op(B)'s column `column` starts that many rows down Bᵀ, or columns across B.
      bOffset: (v.bIndex[matrix] as number) * k * n + (transB ? column * k : column),
      ldb: transB ? k : n,
      c: v.c,
      cOffset: row * n + column,
      ldc: n,
    });
    row += rows;
  }
  return {};
}
