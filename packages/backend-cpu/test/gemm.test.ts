import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type GemmArgs, gemm, packB } from '../src/gemm.js';

const PANEL = 256;

/**
 * gemm's contract for more than two rows (or a transposed A), in float64 loops: each
 * element of C, scaled by β, gets the sum of every 256-deep panel's products α·a·b,
 * accumulated in order from zero in doubles and rounded once when added. A tile of
 * another shape, another packing or another loop order must give these bits exactly:
 * every parity figure of the fused kernels rests on them.
 */
function reference(args: GemmArgs): Float32Array {
  const { transA, transB, m, n, k, a, lda, b, ldb, ldc } = args;
  const [alpha, beta] = [args.alpha ?? 1, args.beta ?? 0];
  const [ao, bo, co] = [args.aOffset ?? 0, args.bOffset ?? 0, args.cOffset ?? 0];
  const c = args.c.slice();
  const opA = (i: number, p: number) => a[transA ? ao + p * lda + i : ao + i * lda + p] as number;
  const opB = (p: number, j: number) => b[transB ? bo + j * ldb + p : bo + p * ldb + j] as number;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const at = co + i * ldc + j;
      if (beta !== 1) c[at] = beta === 0 ? 0 : (c[at] as number) * beta;
      for (let p0 = 0; p0 < k; p0 += PANEL) {
        let sum = 0;
        for (let p = p0; p < Math.min(k, p0 + PANEL); p++) sum += alpha * opA(i, p) * opB(p, j);
        c[at] = (c[at] as number) + sum;
      }
    }
  }
  return c;
}

/** Values whose products and sums round: a shortcut in the order would change some bits. */
const values = (length: number, seed: number): Float32Array =>
  Float32Array.from(
    { length },
    (_, i) => Math.sin(seed + i * 12.9898) * 43758.5453 - Math.floor(Math.sin(seed + i) * 9),
  );

const dimension = fc.oneof(fc.integer({ min: 1, max: 12 }), fc.constantFrom(255, 256, 257, 300, 513));

const product = fc
  .record({
    m: fc.integer({ min: 3, max: 40 }),
    n: fc.oneof(fc.integer({ min: 1, max: 40 }), fc.constantFrom(63, 130)),
    k: dimension,
    transA: fc.boolean(),
    transB: fc.boolean(),
    alpha: fc.constantFrom(undefined, 1, 0.37),
    beta: fc.constantFrom(undefined, 0, 1, 0.5),
    offsets: fc.tuple(fc.nat(3), fc.nat(3), fc.nat(3)),
    pads: fc.tuple(fc.nat(2), fc.nat(2), fc.nat(2)),
    seed: fc.nat(1000),
  })
  .map(({ m, n, k, transA, transB, alpha, beta, offsets: [ao, bo, co], pads, seed }): GemmArgs => {
    const lda = (transA ? m : k) + pads[0];
    const ldb = (transB ? k : n) + pads[1];
    const ldc = n + pads[2];
    return {
      ...{ transA, transB, m, n, k, alpha, beta, lda, ldb, ldc },
      a: values(ao + lda * (transA ? k : m), seed),
      aOffset: ao,
      b: values(bo + ldb * (transB ? n : k), seed + 1),
      bOffset: bo,
      c: values(co + ldc * m, seed + 2),
      cOffset: co,
    };
  });

describe('gemm', () => {
  it('should sum each element of C panel by panel, in order, in doubles (bit for bit)', () => {
    fc.assert(
      fc.property(product, (args) => {
        const expected = reference(args);
        gemm(args);
        expect(args.c).toEqual(expected);
      }),
      { numRuns: 150 },
    );
  });

  it('should give the same bits with B packed once for many calls, of any row count', () => {
    fc.assert(
      fc.property(product, fc.integer({ min: 3, max: 80 }), (args, rows) => {
        const packedB = packB(args, args.b, args.bOffset ?? 0, args.ldb, args.m);
        for (const m of [args.m, rows]) {
          const lda = args.transA ? m : args.lda;
          const a = values((args.aOffset ?? 0) + lda * (args.transA ? args.k : m), m + 1);
          const c = values((args.cOffset ?? 0) + args.ldc * m, m);
          const call = { ...args, m, a, lda, c };
          const expected = reference(call);
          gemm({ ...call, packedB });
          expect(c).toEqual(expected);
        }
      }),
      { numRuns: 100 },
    );
  });
});
