/**
 * Dense linear algebra on typed arrays, just enough for the orthogonal initializer.
 * Row-major throughout. Accumulation happens in doubles (JavaScript numbers).
 */

/**
 * C[i][j] = dot(A row i, B row j) for i in [0, m), j in [0, n), both with length k
 * (that is, C = A·Bᵀ). When `lowerOnly`, only j ≤ i (rounded up to the 4×4 block) is
 * computed. When `lowerA`, A is lower-triangular and the sum for rows i0..i0+3 stops at
 * k = i0 + 4. A 4×4 register block reads 8 rows once per k and does 16 multiply-adds,
 * which is what makes this several times faster than a plain triple loop.
 */
export function matmulTransB(
  a: Float64Array,
  b: Float64Array,
  m: number,
  n: number,
  k: number,
  out: Float64Array,
  lowerOnly = false,
  lowerA = false,
): Float64Array {
  for (let i0 = 0; i0 < m; i0 += 4) {
    const ir = Math.min(4, m - i0);
    const jEnd = lowerOnly ? Math.min(n, i0 + 4) : n;
    for (let j0 = 0; j0 < jEnd; j0 += 4) {
      const jr = Math.min(4, n - j0);
      if (ir === 4 && jr === 4) {
        block4x4(a, b, i0, j0, k, lowerA ? Math.min(k, i0 + 4) : k, n, out);
      } else {
        for (let i = i0; i < i0 + ir; i++) {
          for (let j = j0; j < j0 + jr; j++) {
            let s = 0;
            const ai = i * k;
            const bj = j * k;
            for (let p = 0; p < k; p++) s += (a[ai + p] as number) * (b[bj + p] as number);
            out[i * n + j] = s;
          }
        }
      }
    }
  }
  return out;
}

function block4x4(
  a: Float64Array,
  b: Float64Array,
  i0: number,
  j0: number,
  k: number,
  kEnd: number,
  n: number,
  out: Float64Array,
): void {
  const a0 = i0 * k;
  const a1 = a0 + k;
  const a2 = a1 + k;
  const a3 = a2 + k;
  const b0 = j0 * k;
  const b1 = b0 + k;
  const b2 = b1 + k;
  const b3 = b2 + k;
  let c00 = 0,
    c01 = 0,
    c02 = 0,
    c03 = 0;
  let c10 = 0,
    c11 = 0,
    c12 = 0,
    c13 = 0;
  let c20 = 0,
    c21 = 0,
    c22 = 0,
    c23 = 0;
  let c30 = 0,
    c31 = 0,
    c32 = 0,
    c33 = 0;
  for (let p = 0; p < kEnd; p++) {
    const x0 = a[a0 + p] as number;
    const x1 = a[a1 + p] as number;
    const x2 = a[a2 + p] as number;
    const x3 = a[a3 + p] as number;
    const y0 = b[b0 + p] as number;
    const y1 = b[b1 + p] as number;
    const y2 = b[b2 + p] as number;
    const y3 = b[b3 + p] as number;
    c00 += x0 * y0;
    c01 += x0 * y1;
    c02 += x0 * y2;
    c03 += x0 * y3;
    c10 += x1 * y0;
    c11 += x1 * y1;
    c12 += x1 * y2;
    c13 += x1 * y3;
    c20 += x2 * y0;
    c21 += x2 * y1;
    c22 += x2 * y2;
    c23 += x2 * y3;
    c30 += x3 * y0;
    c31 += x3 * y1;
    c32 += x3 * y2;
    c33 += x3 * y3;
  }
  let o = i0 * n + j0;
  out[o] = c00;
  out[o + 1] = c01;
  out[o + 2] = c02;
  out[o + 3] = c03;
  o += n;
  out[o] = c10;
  out[o + 1] = c11;
  out[o + 2] = c12;
  out[o + 3] = c13;
  o += n;
  out[o] = c20;
  out[o + 1] = c21;
  out[o + 2] = c22;
  out[o + 3] = c23;
  o += n;
  out[o] = c30;
  out[o + 1] = c31;
  out[o + 2] = c32;
  out[o + 3] = c33;
}

/**
 * In-place Cholesky factorisation of a symmetric positive-definite n×n matrix (lower
 * triangle read and written, upper triangle zeroed). Returns false when a pivot is not
 * positive, i.e. the matrix is numerically singular.
 */
export function cholesky(g: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    let d = g[rj + j] as number;
    for (let p = 0; p < j; p++) d -= (g[rj + p] as number) ** 2;
    if (!(d > 0)) return false;
    const ljj = Math.sqrt(d);
    g[rj + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      let s = g[ri + j] as number;
      for (let p = 0; p < j; p++) s -= (g[ri + p] as number) * (g[rj + p] as number);
      g[ri + j] = s / ljj;
    }
    for (let p = j + 1; p < n; p++) g[rj + p] = 0;
  }
  return true;
}

/** Inverse of a lower-triangular n×n matrix (row-major), by forward substitution. */
export function invertLower(l: Float64Array, n: number): Float64Array {
  const inv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    inv[ri + i] = 1 / (l[ri + i] as number);
    for (let j = 0; j < i; j++) {
      let s = 0;
      for (let p = j; p < i; p++) s += (l[ri + p] as number) * (inv[p * n + j] as number);
      inv[ri + j] = -s / (l[ri + i] as number);
    }
  }
  return inv;
}

export function transpose(a: Float64Array, rows: number, cols: number): Float64Array {
  const t = new Float64Array(rows * cols);
  const B = 32;
  for (let i0 = 0; i0 < rows; i0 += B) {
    for (let j0 = 0; j0 < cols; j0 += B) {
      const iEnd = Math.min(rows, i0 + B);
      const jEnd = Math.min(cols, j0 + B);
      for (let i = i0; i < iEnd; i++) {
        for (let j = j0; j < jEnd; j++) t[j * rows + i] = a[i * cols + j] as number;
      }
    }
  }
  return t;
}

/**
 * Orthonormalises the rows of a (rows ≤ cols), row-major, by Cholesky QR:
 * G = A·Aᵀ = L·Lᵀ, Q = L⁻¹·A, so Q·Qᵀ = I. This is the QR factorisation of Aᵀ with a
 * positive diagonal in R = Lᵀ, so for Gaussian A the result is Haar-distributed, the
 * same law as Keras' `Orthogonal` (QR with the sign of diag(R) folded in). Unlike
 * Householder QR it is made of matrix products, which block well. A second pass
 * (CholeskyQR2) restores orthogonality lost to a badly conditioned A.
 * Returns null when A is numerically rank-deficient (the caller draws again).
 */
export function orthonormalizeRows(a: Float64Array, rows: number, cols: number): Float64Array | null {
  let q = a;
  for (let pass = 0; pass < 2; pass++) {
    const g = matmulTransB(q, q, rows, rows, cols, new Float64Array(rows * rows), true);
    if (!cholesky(g, rows)) return null;
    let minDiag = Number.POSITIVE_INFINITY;
    let maxDiag = 0;
    for (let i = 0; i < rows; i++) {
      const d = g[i * rows + i] as number;
      minDiag = Math.min(minDiag, d);
      maxDiag = Math.max(maxDiag, d);
    }
    const linv = invertLower(g, rows);
    // Q = L⁻¹·A = L⁻¹ · (Aᵀ)ᵀ: one product with the transposed-B kernel.
    q = matmulTransB(linv, transpose(q, rows, cols), rows, cols, rows, new Float64Array(rows * cols), false, true);
    // Condition number of A is about (maxDiag / minDiag); orthogonality error of one
    // pass grows with its square. Well-conditioned inputs (the usual case) stop here.
    if (maxDiag / minDiag < 1e3) break;
  }
  return q;
}
