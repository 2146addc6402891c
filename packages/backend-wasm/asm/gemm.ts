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
 * Packs op(A) rows i0…i0+mc (mc a multiple of 4), columns p0…p0+kc into 4-row panels:
 * panel ip holds kc×4 floats, column p at (ip·kc + p)·4.
 */
function packABlock(trans: bool, i0: i32, mc: i32, p0: i32, kc: i32, a: usize, lda: i32, dst: usize): void {
  for (let r0 = 0; r0 < mc; r0 += 4) {
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
}

/**
 * C[4×cols] += A-panel · B-panel over kc, cols ≤ 8. Full tiles update C in place; edge
 * tiles go through `tile` so nothing past C's bounds is touched.
 */
function micro4x8(pa: usize, pb: usize, kc: i32, c: usize, ldc: i32, cols: i32, tile: usize): void {
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
  if (cols === 8) {
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
  for (let r = 0; r < 4; r++) {
    const o = c + <usize>r * step;
    for (let s = 0; s < cols; s++) {
      const q = o + <usize>s * 4;
      store<f32>(q, load<f32>(q) + load<f32>(tile + <usize>(r * 8 + s) * 4));
    }
  }
}

/**
 * C[1×n] += a-row · packed block `pb` (kc rows), for the rows left over by the 4-row
 * panels: a batch of one, the recurrent product of every step at batch 1. Padding such
 * a row to a 4-row panel would pack it element by element and compute three zero rows.
 * Four panels at a time keep eight accumulators in flight (a single panel's two would
 * wait on each other's additions); each lane sums over k in the micro-kernel's order
 * and is then added to C, so the result is the micro-kernel's to the bit.
 * `step`: bytes from one element of the row to the next (4, or lda·4 when op(A) = Aᵀ).
 */
function rowTimesPanels(row: usize, step: usize, pb: usize, kc: i32, n: i32, c: usize, tile: usize): void {
  const panels = (n + 7) >> 3;
  const stride = <usize>kc * 32;
  const end = row + <usize>kc * step;
  let jp = 0;
  for (; (jp + 4) * 8 <= n; jp += 4) {
    let c00 = f32x4.splat(0);
    let c01 = f32x4.splat(0);
    let c10 = f32x4.splat(0);
    let c11 = f32x4.splat(0);
    let c20 = f32x4.splat(0);
    let c21 = f32x4.splat(0);
    let c30 = f32x4.splat(0);
    let c31 = f32x4.splat(0);
    let pa = row;
    let q = pb + <usize>(jp * kc) * 32;
    while (pa < end) {
      const x = v128.load32_splat(pa);
      c00 = Fma.madd(x, v128.load(q), c00);
      c01 = Fma.madd(x, v128.load(q, 16), c01);
      c10 = Fma.madd(x, v128.load(q + stride), c10);
      c11 = Fma.madd(x, v128.load(q + stride, 16), c11);
      c20 = Fma.madd(x, v128.load(q + 2 * stride), c20);
      c21 = Fma.madd(x, v128.load(q + 2 * stride, 16), c21);
      c30 = Fma.madd(x, v128.load(q + 3 * stride), c30);
      c31 = Fma.madd(x, v128.load(q + 3 * stride, 16), c31);
      pa += step;
      q += 32;
    }
    const o = c + <usize>(jp * 8) * 4;
    v128.store(o, f32x4.add(v128.load(o), c00));
    v128.store(o, f32x4.add(v128.load(o, 16), c01), 16);
    v128.store(o, f32x4.add(v128.load(o, 32), c10), 32);
    v128.store(o, f32x4.add(v128.load(o, 48), c11), 48);
    v128.store(o, f32x4.add(v128.load(o, 64), c20), 64);
    v128.store(o, f32x4.add(v128.load(o, 80), c21), 80);
    v128.store(o, f32x4.add(v128.load(o, 96), c30), 96);
    v128.store(o, f32x4.add(v128.load(o, 112), c31), 112);
  }
  for (; jp < panels; jp++) {
    let c0 = f32x4.splat(0);
    let c1 = f32x4.splat(0);
    let pa = row;
    let q = pb + <usize>(jp * kc) * 32;
    while (pa < end) {
      const x = v128.load32_splat(pa);
      c0 = Fma.madd(x, v128.load(q), c0);
      c1 = Fma.madd(x, v128.load(q, 16), c1);
      pa += step;
      q += 32;
    }
    const o = c + <usize>(jp * 8) * 4;
    const cols = min(8, n - jp * 8);
    if (cols === 8) {
      v128.store(o, f32x4.add(v128.load(o), c0));
      v128.store(o, f32x4.add(v128.load(o, 16), c1), 16);
      continue;
    }
    // The zero-padded columns past n are computed and dropped: C may end before them.
    v128.store(tile, c0);
    v128.store(tile, c1, 16);
    for (let s = 0; s < cols; s++) {
      const p = o + <usize>s * 4;
      store<f32>(p, load<f32>(p) + load<f32>(tile + <usize>s * 4));
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
  const full = m & ~3;
  for (let i0 = 0; i0 < full; i0 += MC) {
    const mc = min(MC, full - i0);
    packABlock(trans, i0, mc, 0, kc, a, lda, pa);
    for (let jp = 0; jp < panels; jp++) {
      const cols = min(8, n - jp * 8);
      const bp = pb + <usize>(jp * kc * 8) * 4;
      for (let r0 = 0; r0 < mc; r0 += 4) {
        const c0 = c + <usize>((i0 + r0) * ldc + jp * 8) * 4;
        micro4x8(pa + <usize>(r0 * kc) * 4, bp, kc, c0, ldc, cols, tile);
      }
    }
  }
  for (let i = full; i < m; i++) {
    const row = trans ? a + <usize>i * 4 : a + <usize>(i * lda) * 4;
    rowTimesPanels(row, trans ? <usize>lda * 4 : 4, pb, kc, n, c + <usize>(i * ldc) * 4, tile);
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
