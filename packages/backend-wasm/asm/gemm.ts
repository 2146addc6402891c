/**
 * Single-precision matrix product in the tfjs heap, C (+)= op(A)·op(B), row-major with
 * leading dimensions in floats and pointers in bytes, as BLAS `sgemm`. Blocked as
 * GotoBLAS (Goto & van de Geijn 2008): op(B) is packed by KC-row blocks into panels of 8
 * columns, op(A) by MC×KC blocks into panels of 4 rows, so the 4×8 micro-kernel reads
 * both operands contiguously whatever the transposition (32 multiply-adds per 6 loads,
 * 8 accumulators held in SIMD registers). Transposed operands cost only their packing.
 * KC = 256 keeps a 4×KC panel of A and a KC×8 panel of B (12 KiB) in L1 and MC×KC of A
 * in L2; measured here: 33–39 GFLOP/s on one core, without FMA (relaxed SIMD is not
 * on by default in Node 20). The relaxed-SIMD build fuses the micro-kernel's
 * multiply-adds (`Fma.madd`): one instruction instead of two per pair of lanes.
 */

import { Fma } from './fma';

export const KC: i32 = 256;
export const MC: i32 = 64;

/** Columns rounded up to whole 8-wide panels. */
export function padN(n: i32): i32 {
  return (n + 7) & ~7;
}

/** Bytes of a fully packed k×n op(B) (`packB`). */
export function packedBBytes(k: i32, n: i32): i32 {
  return k * padN(n) * 4;
}

/** Bytes of the scratch `gemm` and `gemmPacked` need for op(A) panels, a partial C tile and one packed B block. */
export function gemmWorkBytes(n: i32): i32 {
  return MC * KC * 4 + 32 * 4 + KC * padN(n) * 4;
}

/**
 * Packs rows p0…p0+kc of op(B) (k×n, op(B)[p,j] = trans ? B[j,p] : B[p,j]) into `dst`:
 * panel jp holds kc×8 floats, row p at (jp·kc + p)·8, zero-padded past n.
 */
function packBBlock(trans: bool, n: i32, p0: i32, kc: i32, b: usize, ldb: i32, dst: usize): void {
  const full = n & ~7;
  for (let j0 = 0; j0 < full; j0 += 8) {
    let out = dst + <usize>(j0 * kc) * 4;
    if (trans) {
      for (let p = 0; p < kc; p++) {
        const src = b + <usize>(j0 * ldb + p0 + p) * 4;
        const step = <usize>ldb * 4;
        store<f32>(out, load<f32>(src));
        store<f32>(out, load<f32>(src + step), 4);
        store<f32>(out, load<f32>(src + 2 * step), 8);
        store<f32>(out, load<f32>(src + 3 * step), 12);
        store<f32>(out, load<f32>(src + 4 * step), 16);
        store<f32>(out, load<f32>(src + 5 * step), 20);
        store<f32>(out, load<f32>(src + 6 * step), 24);
        store<f32>(out, load<f32>(src + 7 * step), 28);
        out += 32;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        const src = b + <usize>((p0 + p) * ldb + j0) * 4;
        v128.store(out, v128.load(src));
        v128.store(out, v128.load(src, 16), 16);
        out += 32;
      }
    }
  }
  if (full < n) {
    let out = dst + <usize>(full * kc) * 4;
    for (let p = 0; p < kc; p++) {
      for (let jj = 0; jj < 8; jj++) {
        const j = full + jj;
        let v: f32 = 0;
        if (j < n)
          v = trans ? load<f32>(b + <usize>(j * ldb + p0 + p) * 4) : load<f32>(b + <usize>((p0 + p) * ldb + j) * 4);
        store<f32>(out + <usize>jj * 4, v);
      }
      out += 32;
    }
  }
}

/** Packs all of op(B) (k×n) block by block: block p0 starts at float p0·padN(n). */
export function packB(trans: bool, k: i32, n: i32, b: usize, ldb: i32, dst: usize): void {
  const np = padN(n);
  for (let p0 = 0; p0 < k; p0 += KC) {
    const kc = min(KC, k - p0);
    packBBlock(trans, n, p0, kc, b, ldb, dst + <usize>(p0 * np) * 4);
  }
}

/**
 * Packs op(A) rows i0…i0+mc, columns p0…p0+kc into 4-row panels: panel ip holds kc×4
 * floats, column p at (ip·kc + p)·4, zero-padded past mc.
 */
function packABlock(trans: bool, i0: i32, mc: i32, p0: i32, kc: i32, a: usize, lda: i32, dst: usize): void {
  const full = mc & ~3;
  for (let r0 = 0; r0 < full; r0 += 4) {
    let out = dst + <usize>(r0 * kc) * 4;
    const i = i0 + r0;
    if (trans) {
      let src = a + <usize>(p0 * lda + i) * 4;
      const step = <usize>lda * 4;
      for (let p = 0; p < kc; p++) {
        v128.store(out, v128.load(src));
        src += step;
        out += 16;
      }
    } else {
      const row0 = a + <usize>(i * lda + p0) * 4;
      const step = <usize>lda * 4;
      for (let p = 0; p < kc; p++) {
        const src = row0 + <usize>p * 4;
        store<f32>(out, load<f32>(src));
        store<f32>(out, load<f32>(src + step), 4);
        store<f32>(out, load<f32>(src + 2 * step), 8);
        store<f32>(out, load<f32>(src + 3 * step), 12);
        out += 16;
      }
    }
  }
  if (full < mc) {
    let out = dst + <usize>(full * kc) * 4;
    for (let p = 0; p < kc; p++) {
      for (let rr = 0; rr < 4; rr++) {
        const r = full + rr;
        let v: f32 = 0;
        if (r < mc) {
          const i = i0 + r;
          v = trans ? load<f32>(a + <usize>((p0 + p) * lda + i) * 4) : load<f32>(a + <usize>(i * lda + p0 + p) * 4);
        }
        store<f32>(out + <usize>rr * 4, v);
      }
      out += 16;
    }
  }
}

/**
 * C[rows×cols] += A-panel · B-panel over kc, rows ≤ 4, cols ≤ 8. Full tiles update C in
 * place; edge tiles go through `tile` so nothing past C's bounds is touched.
 */
function micro4x8(pa: usize, pb: usize, kc: i32, c: usize, ldc: i32, rows: i32, cols: i32, tile: usize): void {
  let c00 = f32x4.splat(0);
  let c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0);
  let c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0);
  let c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0);
  let c31 = f32x4.splat(0);
  // One k per iteration: unrolling makes V8 spill accumulators (16 xmm registers in all).
  const end = pa + <usize>kc * 16;
  while (pa < end) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = v128.load32_splat(pa);
    c00 = Fma.madd(a, b0, c00);
    c01 = Fma.madd(a, b1, c01);
    a = v128.load32_splat(pa, 4);
    c10 = Fma.madd(a, b0, c10);
    c11 = Fma.madd(a, b1, c11);
    a = v128.load32_splat(pa, 8);
    c20 = Fma.madd(a, b0, c20);
    c21 = Fma.madd(a, b1, c21);
    a = v128.load32_splat(pa, 12);
    c30 = Fma.madd(a, b0, c30);
    c31 = Fma.madd(a, b1, c31);
    pa += 16;
    pb += 32;
  }
  const step = <usize>ldc * 4;
  if (rows === 4 && cols === 8) {
    let o = c;
    v128.store(o, f32x4.add(v128.load(o), c00));
    v128.store(o, f32x4.add(v128.load(o, 16), c01), 16);
    o += step;
    v128.store(o, f32x4.add(v128.load(o), c10));
    v128.store(o, f32x4.add(v128.load(o, 16), c11), 16);
    o += step;
    v128.store(o, f32x4.add(v128.load(o), c20));
    v128.store(o, f32x4.add(v128.load(o, 16), c21), 16);
    o += step;
    v128.store(o, f32x4.add(v128.load(o), c30));
    v128.store(o, f32x4.add(v128.load(o, 16), c31), 16);
    return;
  }
  v128.store(tile, c00);
  v128.store(tile, c01, 16);
  v128.store(tile, c10, 32);
  v128.store(tile, c11, 48);
  v128.store(tile, c20, 64);
  v128.store(tile, c21, 80);
  v128.store(tile, c30, 96);
  v128.store(tile, c31, 112);
  for (let r = 0; r < rows; r++) {
    const o = c + <usize>r * step;
    for (let s = 0; s < cols; s++) {
      const q = o + <usize>s * 4;
      store<f32>(q, load<f32>(q) + load<f32>(tile + <usize>(r * 8 + s) * 4));
    }
  }
}

/** One KC block: C[m×n] += op(A)[:, block] · packed block `pb` (kc rows). `a` points at the block's first column of op(A). */
function gemmBlock(
  trans: bool,
  m: i32,
  n: i32,
  kc: i32,
  a: usize,
  lda: i32,
  pb: usize,
  c: usize,
  ldc: i32,
  work: usize,
): void {
  const pa = work;
  const tile = work + <usize>(MC * KC) * 4;
  const panels = (n + 7) >> 3;
  for (let i0 = 0; i0 < m; i0 += MC) {
    const mc = min(MC, m - i0);
    packABlock(trans, i0, mc, 0, kc, a, lda, pa);
    for (let jp = 0; jp < panels; jp++) {
      const cols = min(8, n - jp * 8);
      const bp = pb + <usize>(jp * kc * 8) * 4;
      for (let r0 = 0; r0 < mc; r0 += 4) {
        const c0 = c + <usize>((i0 + r0) * ldc + jp * 8) * 4;
        micro4x8(pa + <usize>(r0 * kc) * 4, bp, kc, c0, ldc, min(4, mc - r0), cols, tile);
      }
    }
  }
}

function zeroMatrix(m: i32, n: i32, c: usize, ldc: i32): void {
  for (let i = 0; i < m; i++) memory.fill(c + <usize>(i * ldc) * 4, 0, <usize>n * 4);
}

/** Start of column p0 of op(A) in bytes. */
function aColumn(trans: bool, a: usize, lda: i32, p0: i32): usize {
  return trans ? a + <usize>(p0 * lda) * 4 : a + <usize>p0 * 4;
}

/** C (+)= op(A)·B̂ with B̂ packed by `packB`. `work`: `gemmWorkBytes(n)` bytes. */
export function gemmPacked(
  transA: bool,
  m: i32,
  n: i32,
  k: i32,
  a: usize,
  lda: i32,
  packed: usize,
  c: usize,
  ldc: i32,
  accumulate: bool,
  work: usize,
): void {
  if (!accumulate) zeroMatrix(m, n, c, ldc);
  const np = padN(n);
  for (let p0 = 0; p0 < k; p0 += KC) {
    const kc = min(KC, k - p0);
    gemmBlock(transA, m, n, kc, aColumn(transA, a, lda, p0), lda, packed + <usize>(p0 * np) * 4, c, ldc, work);
  }
}

/** C (+)= op(A)·op(B), packing op(B) one KC block at a time into `work` (`gemmWorkBytes(n)` bytes). */
export function gemm(
  transA: bool,
  transB: bool,
  m: i32,
  n: i32,
  k: i32,
  a: usize,
  lda: i32,
  b: usize,
  ldb: i32,
  c: usize,
  ldc: i32,
  accumulate: bool,
  work: usize,
): void {
  if (!accumulate) zeroMatrix(m, n, c, ldc);
  const pb = work + <usize>(MC * KC + 32) * 4;
  for (let p0 = 0; p0 < k; p0 += KC) {
    const kc = min(KC, k - p0);
    packBBlock(transB, n, p0, kc, b, ldb, pb);
    gemmBlock(transA, m, n, kc, aColumn(transA, a, lda, p0), lda, pb, c, ldc, work);
  }
}
