import { Rng } from '@recur/core';
import { batchIndices, bucketByLength, paddingWaste, sequenceBatches } from '@recur/datasets';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { useLeakChecks } from './helpers.js';

const lengthsArb = fc.array(fc.integer({ min: 0, max: 60 }), { maxLength: 150 });
const sortedIndices = (batches: readonly Int32Array[]) => batches.flatMap((b) => Array.from(b)).sort((a, b) => a - b);

describe('bucketByLength', () => {
  useLeakChecks();

  describe('coverage', () => {
    it('should put every index in exactly one batch, with or without boundaries and shuffling', () => {
      fc.assert(
        fc.property(
          lengthsArb,
          fc.integer({ min: 1, max: 16 }),
          fc.option(fc.integer(), { nil: undefined }),
          fc.boolean(),
          (lengths, batchSize, seed, withBoundaries) => {
            const batches = bucketByLength(lengths, {
              batchSize,
              ...(seed === undefined ? {} : { rng: new Rng(seed) }),
              ...(withBoundaries ? { boundaries: [5, 10, 30] } : {}),
            });
            expect(sortedIndices(batches)).toEqual(lengths.map((_, i) => i));
            expect(batches.every((b) => b.length >= 1 && b.length <= batchSize)).toBe(true);
          },
        ),
      );
    });

    it('should drop only short batches, each index at most once, with dropRemainder', () => {
      fc.assert(
        fc.property(lengthsArb, fc.integer({ min: 1, max: 16 }), fc.integer(), (lengths, batchSize, seed) => {
          const boundaries = [5, 10, 30];
          const batches = bucketByLength(lengths, { batchSize, rng: new Rng(seed), boundaries, dropRemainder: true });
          const seen = sortedIndices(batches);
          expect(new Set(seen).size).toBe(seen.length);
          expect(batches.every((b) => b.length === batchSize)).toBe(true);
          const perBucket = [0, 1, 2, 3].map(
            (k) => lengths.filter((len) => boundaries.filter((b) => len >= b).length === k).length,
          );
          expect(seen.length).toBe(perBucket.reduce((s, n) => s + Math.floor(n / batchSize) * batchSize, 0));
        }),
      );
    });

    it('should never mix buckets when boundaries are given', () => {
      const lengths = Array.from({ length: 200 }, (_, i) => (i * 37) % 50);
      const bucketOf = (len: number) => [10, 20].filter((b) => len >= b).length;
      for (const batch of bucketByLength(lengths, { batchSize: 8, boundaries: [10, 20], rng: new Rng(3) })) {
        expect(new Set(Array.from(batch, (i) => bucketOf(lengths[i] as number))).size).toBe(1);
      }
    });
  });

  describe('padding waste', () => {
    it('should waste at most batchSize × (longest − shortest) padding in all, far less than random batches', () => {
      const rng = new Rng(11);
      const lengths = Array.from({ length: 500 }, () => 1 + rng.int(100));
      const bucketed = paddingWaste(bucketByLength(lengths, { batchSize: 32, rng: new Rng(1) }), lengths);
      const random = paddingWaste([...batchIndices(lengths.length, { batchSize: 32, rng: new Rng(1) })], lengths);
      expect(bucketed.real).toBe(random.real);
      // Sorted batches' length ranges do not overlap, so their sum is at most the total range.
      expect(bucketed.padded).toBeLessThanOrEqual(32 * (Math.max(...lengths) - Math.min(...lengths)));
      expect(bucketed.fraction).toBeLessThan(random.fraction / 4);
    });
  });

  describe('bad input', () => {
    it('should name bad lengths and boundaries', () => {
      expect(() => bucketByLength([1, -2], { batchSize: 2 })).toThrow(/lengths\[1\]: expected a non-negative length/);
      expect(() => bucketByLength([1], { batchSize: 2, boundaries: [5, 3] })).toThrow(
        /options\.boundaries: expected a non-empty increasing array/,
      );
    });
  });
});

describe('sequenceBatches', () => {
  useLeakChecks();

  describe('iteration', () => {
    it('should pad each batch to its own longest sequence and return every sequence once', () => {
      const rng = new Rng(5);
      const seqs = Array.from({ length: 40 }, (_, i) =>
        Array.from({ length: 1 + ((i * 7) % 13) }, (_, t) => i * 100 + t),
      );
      const batches = [...sequenceBatches(seqs, { batchSize: 8, rng, padding: 'post' })];
      expect(batches.flatMap((b) => Array.from(b.indices)).sort((a, b) => a - b)).toEqual(seqs.map((_, i) => i));
      for (const b of batches) {
        const [rows, width] = b.shape;
        expect(width).toBe(Math.max(...Array.from(b.indices, (i) => (seqs[i] as number[]).length)));
        for (let r = 0; r < rows; r++) {
          const seq = seqs[b.indices[r] as number] as number[];
          expect(Array.from(b.data.subarray(r * width, r * width + seq.length))).toEqual(seq);
        }
      }
    });

    it('should refuse a sequence of non-integers before yielding anything', () => {
      expect(() => sequenceBatches([[1, 2], [Number.NaN]], { batchSize: 2 })).toThrow(
        /sequences\[1\]\[0\]: expected a 32-bit integer/,
      );
    });
  });
});
