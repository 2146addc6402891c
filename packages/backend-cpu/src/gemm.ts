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
  /**
   * op(B) as `packB` made it from these `b`, `bOffset`, `ldb`, `transB`, `k` and `n`: a
   * product with the same B at every step (a recurrent kernel) packs it once. Packing
   * [256, 1024] took 0.7 of the 4.3 ms of a batch-32 step's product.
   */
  readonly packedB?: PackedB;
}

/** op(B) packed for gemm: each 256-deep panel of it as 4-column panels, as gemm packs one per call. */
export interface PackedB {
  readonly transB: boolean;
  readonly k: number;
  readonly n: number;
  readonly panels: Float64Array;
}

const KC = 256; // k-panel: a 4×KC panel of A and a KC×4 panel of B stay in L1.

let scratchA = new Float64Array(0);
let scratchB = new Float64Array(0);
let scratchRow = new Float64Array(0);

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
  const mPad = (m + 3) & ~3;
  const nPad = (n + 3) & ~3;
  if (scratchA.length < mPad * KC) scratchA = new Float64Array(mPad * KC);
  if (scratchB.length < nPad * KC) scratchB = new Float64Array(nPad * KC);
  for (let p0 = 0; p0 < k; p0 += KC) {
    const kc = Math.min(KC, k - p0);
    // Pack op(A)[:, p0:p0+kc] as 4-row panels, k-major within each panel: pa[(i/4)·4kc + p·4 + i%4].
    for (let i = 0; i < mPad; i++) {
      const base = (i >> 2) * 4 * kc + (i & 3);
      if (i >= m) {
        for (let p = 0; p < kc; p++) scratchA[base + p * 4] = 0;
      } else if (transA) {
        for (let p = 0; p < kc; p++) scratchA[base + p * 4] = alpha * (a[ao + (p0 + p) * lda + i] as number);
      } else {
        const row = ao + i * lda + p0;
        for (let p = 0; p < kc; p++) scratchA[base + p * 4] = alpha * (a[row + p] as number);
      }
    }
    const packed = matchingPacking(args);
    if (packed === undefined) packPanel(scratchB, 0, transB, b, bo, ldb, p0, kc, n);
    const [pb, pbAt] = packed === undefined ? [scratchB, 0] : [packed.panels, p0 * nPad];
    for (let i0 = 0; i0 < m; i0 += 4) {
      const pa = (i0 >> 2) * 4 * kc;
      for (let j0 = 0; j0 < n; j0 += 4) {
        micro4x4(
          scratchA,
          pa,
          pb,
          pbAt + (j0 >> 2) * 4 * kc,
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

/**
 * Packs op(B)[p0:p0+kc, :] at `at` in `to` as 4-column panels, zero-padded to a multiple of
 * 4 columns: to[at + (j/4)·4kc + p·4 + j%4]. B untransposed is read row by row, contiguously.
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
  const nPad = (n + 3) & ~3;
  if (transB) {
    for (let j = 0; j < nPad; j++) {
      const base = at + (j >> 2) * 4 * kc + (j & 3);
      const row = bo + j * ldb + p0;
      for (let p = 0; p < kc; p++) to[base + p * 4] = j < n ? (b[row + p] as number) : 0;
    }
    return;
  }
  for (let p = 0; p < kc; p++) {
    const row = bo + (p0 + p) * ldb;
    for (let j = 0; j < nPad; j++) to[at + (j >> 2) * 4 * kc + p * 4 + (j & 3)] = j < n ? (b[row + j] as number) : 0;
  }
}

/**
 * op(B), `k` × `n`, packed once for many `gemm` calls (`GemmArgs.packedB`): a recurrent
 * kernel, for every step. Every row count uses it: one or two rows (batch-1 steps) read its
 * 4-column panels with four independent sums, 3× faster in V8 than a plain row-times-matrix
 * loop (W3's 1×32 · 32×128 step: 7.2 → 2.4 µs).
 */
export function packB(
  b: { readonly transB: boolean; readonly k: number; readonly n: number },
  values: Float32Array,
  bOffset: number,
  ldb: number,
): PackedB {
  const { transB, k, n } = b;
  const nPad = (n + 3) & ~3;
  const panels = new Float64Array(nPad * k);
  for (let p0 = 0; p0 < k; p0 += KC)
    packPanel(panels, p0 * nPad, transB, values, bOffset, ldb, p0, Math.min(KC, k - p0), n);
  return { transB, k, n, panels };
}

/** `args.packedB` where it was packed from a B of this shape: a packing of another B would give wrong sums silently. */
function matchingPacking(args: GemmArgs): PackedB | undefined {
  const given = args.packedB;
  return given?.k === args.k && given.n === args.n && given.transB === args.transB ? given : undefined;
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
  if (rows === 4 && cols === 4) {
    // Stored straight from the locals: building the 16-element array below for every tile cost 3–5 %.
    let o = ic;
    c[o] = (c[o] as number) + c00;
    c[o + 1] = (c[o + 1] as number) + c01;
    c[o + 2] = (c[o + 2] as number) + c02;
    c[o + 3] = (c[o + 3] as number) + c03;
    o += ldc;
    c[o] = (c[o] as number) + c10;
    c[o + 1] = (c[o + 1] as number) + c11;
    c[o + 2] = (c[o + 2] as number) + c12;
    c[o + 3] = (c[o + 3] as number) + c13;
    o += ldc;
    c[o] = (c[o] as number) + c20;
    c[o + 1] = (c[o + 1] as number) + c21;
    c[o + 2] = (c[o + 2] as number) + c22;
    c[o + 3] = (c[o + 3] as number) + c23;
    o += ldc;
    c[o] = (c[o] as number) + c30;
    c[o + 1] = (c[o + 1] as number) + c31;
    c[o + 2] = (c[o + 2] as number) + c32;
    c[o + 3] = (c[o + 3] as number) + c33;
    return;
  }
  const acc = [c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33];
  for (let r = 0; r < rows; r++) {
    const o = ic + r * ldc;
    for (let s = 0; s < cols; s++) c[o + s] = (c[o + s] as number) + (acc[r * 4 + s] as number);
  }
}

/**
 * One or two rows of op(A) times a packed op(B), eight columns (two panels) at a time:
 * eight independent sums hide the add latency that four leave exposed (a 1×32 · 32×128
 * step: 2.5 µs with four, 2.0 with eight, 2.1 with sixteen; CPU time in V8). Each element
 * is summed over the whole depth in p order in a double and added to C once, as `smallM`
 * sums it (not per 256-deep panel as the 4×4 tiles do), so packing does not move results.
 */
function rowsOnPanels(args: GemmArgs, alpha: number, packed: PackedB): void {
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
    for (; j0 + 4 < n; j0 += 8) panelPair(ar, packed, j0, c, crow + j0, n - j0);
    if (j0 < n) panelOne(ar, packed, j0, c, crow + j0, n - j0);
  }
}

/** C[o … o+8) += a · the two panels from column j0 (`cols` of them real, > 4). */
function panelPair(ar: Float64Array, packed: PackedB, j0: number, c: Float32Array, o: number, cols: number): void {
  const { k, panels: pb } = packed;
  const nPad = (packed.n + 3) & ~3;
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
    let y = p0 * nPad + (j0 >> 2) * 4 * kc;
    let z = y + 4 * kc;
    for (let p = p0; p < p0 + kc; p++, y += 4, z += 4) {
      const ap = ar[p] as number;
      s0 += ap * (pb[y] as number);
      s1 += ap * (pb[y + 1] as number);
      s2 += ap * (pb[y + 2] as number);
      s3 += ap * (pb[y + 3] as number);
      s4 += ap * (pb[z] as number);
      s5 += ap * (pb[z + 1] as number);
      s6 += ap * (pb[z + 2] as number);
      s7 += ap * (pb[z + 3] as number);
    }
  }
  c[o] = (c[o] as number) + s0;
  c[o + 1] = (c[o + 1] as number) + s1;
  c[o + 2] = (c[o + 2] as number) + s2;
  c[o + 3] = (c[o + 3] as number) + s3;
  c[o + 4] = (c[o + 4] as number) + s4;
  if (cols > 5) c[o + 5] = (c[o + 5] as number) + s5;
  if (cols > 6) c[o + 6] = (c[o + 6] as number) + s6;
  if (cols > 7) c[o + 7] = (c[o + 7] as number) + s7;
}

/** C[o … o+4) += a · the panel from column j0 (`cols` of them real, ≤ 4): the last one. */
function panelOne(ar: Float64Array, packed: PackedB, j0: number, c: Float32Array, o: number, cols: number): void {
  const { k, panels: pb } = packed;
  const nPad = (packed.n + 3) & ~3;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  for (let p0 = 0; p0 < k; p0 += KC) {
    const kc = Math.min(KC, k - p0);
    let y = p0 * nPad + (j0 >> 2) * 4 * kc;
    for (let p = p0; p < p0 + kc; p++, y += 4) {
      const ap = ar[p] as number;
      s0 += ap * (pb[y] as number);
      s1 += ap * (pb[y + 1] as number);
      s2 += ap * (pb[y + 2] as number);
      s3 += ap * (pb[y + 3] as number);
    }
  }
  c[o] = (c[o] as number) + s0;
  if (cols > 1) c[o + 1] = (c[o + 1] as number) + s1;
  if (cols > 2) c[o + 2] = (c[o + 2] as number) + s2;
  if (cols > 3) c[o + 3] = (c[o + 3] as number) + s3;
}

/**
 * One or two rows of op(A) (batch-1 or batch-2 steps) with B unpacked: packing would cost
 * more than the product, and a 4-row block would waste most of its work. Reads B row-wise
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
