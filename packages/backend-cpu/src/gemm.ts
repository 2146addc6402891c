/**
 * Single-precision matrix product on Float32Arrays, C = α·op(A)·op(B) + β·C, row-major
 * with leading dimensions, as BLAS `sgemm`. tfjs' cpu matMul runs at about 0.9 GFLOP/s
 * on this kind of machine; this one packs panels of op(A) and op(B) so the inner loop
 * reads both contiguously, and keeps a 4×4 block of C in locals (16 multiply-adds per 8
 * loads). Accumulation is in doubles (JavaScript numbers), rounded once when stored.
 */
export interface GemmArgs {
  readonly transA: boolean;
  readonly transB: boolean;
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly alpha?: number;
  readonly a: Float32Array;
  readonly aOffset?: number;
  readonly lda: number;
  readonly b: Float32Array;
  readonly bOffset?: number;
  readonly ldb: number;
  /** 0 overwrites C, 1 accumulates into it. */
  readonly beta?: number;
  readonly c: Float32Array;
  readonly cOffset?: number;
  readonly ldc: number;
}

const KC = 256; // k-panel: a 4×KC panel of A and a KC×4 panel of B stay in L1.

let packA = new Float64Array(0);
let packB = new Float64Array(0);

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
    smallM(args, alpha);
    return;
  }
  const mPad = (m + 3) & ~3;
  const nPad = (n + 3) & ~3;
  if (packA.length < mPad * KC) packA = new Float64Array(mPad * KC);
  if (packB.length < nPad * KC) packB = new Float64Array(nPad * KC);
  for (let p0 = 0; p0 < k; p0 += KC) {
    const kc = Math.min(KC, k - p0);
    // Pack op(A)[:, p0:p0+kc] as 4-row panels, k-major within each panel: pa[(i/4)·4kc + p·4 + i%4].
    for (let i = 0; i < mPad; i++) {
      const base = (i >> 2) * 4 * kc + (i & 3);
      if (i >= m) {
        for (let p = 0; p < kc; p++) packA[base + p * 4] = 0;
      } else if (transA) {
        for (let p = 0; p < kc; p++) packA[base + p * 4] = alpha * (a[ao + (p0 + p) * lda + i] as number);
      } else {
        const row = ao + i * lda + p0;
        for (let p = 0; p < kc; p++) packA[base + p * 4] = alpha * (a[row + p] as number);
      }
    }
    // Pack op(B)[p0:p0+kc, :] as 4-column panels: pb[(j/4)·4kc + p·4 + j%4].
    for (let j = 0; j < nPad; j++) {
      const base = (j >> 2) * 4 * kc + (j & 3);
      if (j >= n) {
        for (let p = 0; p < kc; p++) packB[base + p * 4] = 0;
      } else if (transB) {
        const row = bo + j * ldb + p0;
        for (let p = 0; p < kc; p++) packB[base + p * 4] = b[row + p] as number;
      } else {
        for (let p = 0; p < kc; p++) packB[base + p * 4] = b[bo + (p0 + p) * ldb + j] as number;
      }
    }
    for (let i0 = 0; i0 < m; i0 += 4) {
      const pa = (i0 >> 2) * 4 * kc;
      for (let j0 = 0; j0 < n; j0 += 4) {
        micro4x4(
          packA,
          pa,
          packB,
          (j0 >> 2) * 4 * kc,
          kc,
          c,
          co + i0 * ldc + j0,
          ldc,
          Math.min(4, m - i0),
          Math.min(4, n - j0),
        );
      }
    }
  }
}

function micro4x4(
  pa: Float64Array,
  ia: number,
  pb: Float64Array,
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
  let c02 = 0;
  let c03 = 0;
  let c10 = 0;
  let c11 = 0;
  let c12 = 0;
  let c13 = 0;
  let c20 = 0;
  let c21 = 0;
  let c22 = 0;
  let c23 = 0;
  let c30 = 0;
  let c31 = 0;
  let c32 = 0;
  let c33 = 0;
  const end = ia + kc * 4;
  for (let x = ia, y = ib; x < end; x += 4, y += 4) {
    const a0 = pa[x] as number;
    const a1 = pa[x + 1] as number;
    const a2 = pa[x + 2] as number;
    const a3 = pa[x + 3] as number;
    const b0 = pb[y] as number;
    const b1 = pb[y + 1] as number;
    const b2 = pb[y + 2] as number;
    const b3 = pb[y + 3] as number;
    c00 += a0 * b0;
    c01 += a0 * b1;
    c02 += a0 * b2;
    c03 += a0 * b3;
    c10 += a1 * b0;
    c11 += a1 * b1;
    c12 += a1 * b2;
    c13 += a1 * b3;
    c20 += a2 * b0;
    c21 += a2 * b1;
    c22 += a2 * b2;
    c23 += a2 * b3;
    c30 += a3 * b0;
    c31 += a3 * b1;
    c32 += a3 * b2;
    c33 += a3 * b3;
  }
  const acc = [c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33];
  if (rows === 4 && cols === 4) {
    for (let r = 0; r < 4; r++) {
      const o = ic + r * ldc;
      c[o] = (c[o] as number) + (acc[r * 4] as number);
      c[o + 1] = (c[o + 1] as number) + (acc[r * 4 + 1] as number);
      c[o + 2] = (c[o + 2] as number) + (acc[r * 4 + 2] as number);
      c[o + 3] = (c[o + 3] as number) + (acc[r * 4 + 3] as number);
    }
    return;
  }
  for (let r = 0; r < rows; r++) {
    const o = ic + r * ldc;
    for (let s = 0; s < cols; s++) c[o + s] = (c[o + s] as number) + (acc[r * 4 + s] as number);
  }
}

/**
 * One or two rows of op(A) (batch-1 or batch-2 recurrent steps): packing would cost more
 * than the product, and a 4-row block would waste most of its work. Reads B row-wise
 * (axpy over B's rows) or, transposed, as dot products of B's rows: contiguous either way.
 */
function smallM(args: GemmArgs, alpha: number): void {
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
      const acc = new Float64Array(n);
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
