import { Rng } from '@recur/core';
import { batchIndices, batchItems } from '@recur/datasets';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { useLeakChecks } from './helpers.js';

const flat = (batches: Iterable<Int32Array>) => [...batches].flatMap((b) => Array.from(b));
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('batchIndices', () => {
  useLeakChecks();

  describe('coverage', () => {
    it('should visit every index once per epoch, in order without an rng', () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 1, max: 40 }), (count, batchSize) => {
          const batches = [...batchIndices(count, { batchSize })];
          expect(flat(batches)).toEqual(range(count));
          expect(batches.slice(0, -1).every((b) => b.length === batchSize)).toBe(true);
        }),
      );
    });

    it('should drop only the short last batch with dropRemainder', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: 200 }),
          fc.integer({ min: 1, max: 40 }),
          fc.integer(),
          (count, batchSize, seed) => {
            const batches = [...batchIndices(count, { batchSize, rng: new Rng(seed), dropRemainder: true })];
            expect(batches.length).toBe(Math.floor(count / batchSize));
            expect(batches.every((b) => b.length === batchSize)).toBe(true);
            const seen = flat(batches);
            expect(new Set(seen).size).toBe(seen.length);
          },
        ),
      );
    });
  });

  describe('shuffle', () => {
    it('should give a permutation that a seed reproduces and the next epoch changes', () => {
      const rng = new Rng(7);
      const first = flat(batchIndices(100, { batchSize: 16, rng }));
      const second = flat(batchIndices(100, { batchSize: 16, rng }));
      expect([...first].sort((a, b) => a - b)).toEqual(range(100));
      expect(first).not.toEqual(range(100));
      expect(second).not.toEqual(first);
      expect(flat(batchIndices(100, { batchSize: 16, rng: new Rng(7) }))).toEqual(first);
    });
  });

  describe('batchItems', () => {
    it('should yield the items of each index batch', () => {
      const items = ['a', 'b', 'c', 'd', 'e'];
      expect([...batchItems(items, { batchSize: 2 })]).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
      const shuffled = [...batchItems(items, { batchSize: 2, rng: new Rng(1) })].flat();
      expect(shuffled).toEqual(flat(batchIndices(5, { batchSize: 2, rng: new Rng(1) })).map((i) => items[i]));
    });
  });

  describe('bad input', () => {
    it('should name bad arguments before drawing anything', () => {
      expect(() => batchIndices(-1, { batchSize: 2 })).toThrow(/count: expected a non-negative integer, received -1/);
      expect(() => batchIndices(4, { batchSize: 0 })).toThrow(/options\.batchSize: expected a positive integer/);
      expect(() => batchIndices(4, { batchSize: 2, rng: 3 as unknown as Rng })).toThrow(
        /options\.rng: expected an Rng/,
      );
      expect(() => batchItems('abc' as unknown as string[], { batchSize: 2 })).toThrow(/items: expected an array/);
    });
  });
});
