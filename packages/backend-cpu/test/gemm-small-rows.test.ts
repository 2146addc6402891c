import { Rng } from '@recur/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gemm, packB } from '../src/gemm.js';

interface Case {
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly transB: boolean;
  readonly seed: number;
}

/** A, B and C of a case: B is `[k, n]`, or `[n, k]` transposed; C starts non-zero (gemm adds to it with beta 1). */
function operands({ m, n, k, transB, seed }: Case) {
  const rng = new Rng(seed);
  const a = rng.fillUniform(new Float32Array(m * k), -1, 1);
  const b = rng.fillUniform(new Float32Array(k * n), -1, 1);
  const c = rng.fillUniform(new Float32Array(m * n), -1, 1);
  return { a, b, c, ldb: transB ? k : n };
}

function product(kase: Case, packed: boolean): Float32Array {
  const { m, n, k, transB } = kase;
  const { a, b, c, ldb } = operands(kase);
  gemm({
    transA: false,
    transB,
    m,
    n,
    k,
    a,
    lda: k,
    b,
    ldb,
    beta: 1,
    c,
    ldc: n,
    packedB: packed ? packB({ transB, k, n }, b, 0, ldb, m) : undefined,
  });
  return c;
}

/** C + op(A)·op(B) summed in float64. */
function reference(kase: Case): Float64Array {
  const { m, n, k, transB } = kase;
  const { a, b, c, ldb } = operands(kase);
  const out = Float64Array.from(c);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += (a[i * k + p] as number) * (b[transB ? j * ldb + p : p * ldb + j] as number);
      out[i * n + j] = (out[i * n + j] as number) + s;
    }
  }
  return out;
}

// One or two rows (batch-1 and batch-2 recurrent steps) read a packed B by their own path: n
// around the 8-column pairs and 4-column panels, k across the 256-deep panels.
const small = fc.record({
  m: fc.integer({ min: 1, max: 2 }),
  n: fc.integer({ min: 1, max: 21 }),
  k: fc.oneof(fc.integer({ min: 1, max: 40 }), fc.constantFrom(255, 256, 257, 600)),
  transB: fc.boolean(),
  seed: fc.integer({ min: 0, max: 1000 }),
});

describe('gemm with a packed B, one or two rows', () => {
  it('gives one or two rows bit for bit what the unpacked product gives', () => {
    fc.assert(
      fc.property(small, (kase) => {
        expect(product(kase, true)).toEqual(product(kase, false));
      }),
      { numRuns: 150 },
    );
  });

  it('equals float64 sums for any row count', () => {
    fc.assert(
      fc.property(small, fc.integer({ min: 1, max: 9 }), (kase, m) => {
        const got = product({ ...kase, m }, true);
        const want = reference({ ...kase, m });
        for (let i = 0; i < got.length; i++) expect(got[i]).toBeCloseTo(want[i] as number, 4);
      }),
      { numRuns: 100 },
    );
  });

  it('ignores a packing of a B of another shape', () => {
    const kase = { m: 1, n: 8, k: 8, transB: false, seed: 3 };
    const { a, b, c, ldb } = operands(kase);
    const other = packB({ transB: false, k: 8, n: 4 }, new Float32Array(32).fill(100), 0, 4, 1);
    gemm({ transA: false, transB: false, m: 1, n: 8, k: 8, a, lda: 8, b, ldb, beta: 1, c, ldc: 8, packedB: other });
    expect(c).toEqual(product(kase, false));
  });
});
