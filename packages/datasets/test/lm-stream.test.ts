import { languageModelBatches } from '@recur/datasets';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { useLeakChecks } from './helpers.js';

function row(a: { data: Int32Array; shape: readonly [number, number] }, b: number): number[] {
  const [, t] = a.shape;
  return Array.from(a.data.subarray(b * t, (b + 1) * t));
}

describe('languageModelBatches', () => {
  useLeakChecks();

  describe('contiguity', () => {
    it('should continue each row where the previous batch stopped, with targets shifted by one', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 2, max: 400 }),
          fc.integer({ min: 1, max: 8 }),
          fc.integer({ min: 1, max: 20 }),
          fc.boolean(),
          (length, batchSize, timeSteps, dropRemainder) => {
            fc.pre(length >= batchSize + 1);
            fc.pre(!dropRemainder || Math.floor((length - 1) / batchSize) >= timeSteps);
            const tokens = Array.from({ length }, (_, i) => i * 3 + 1);
            const stream = languageModelBatches(tokens, { batchSize, timeSteps, dropRemainder });
            const R = Math.floor((length - 1) / batchSize);
            expect(stream.rowLength).toBe(R);
            const batches = [...stream];
            expect(batches.length).toBe(stream.numBatches);
            const covered = dropRemainder ? Math.floor(R / timeSteps) * timeSteps : R;
            for (let b = 0; b < batchSize; b++) {
              const inputs = batches.flatMap((batch) => row(batch.inputs, b));
              const targets = batches.flatMap((batch) => row(batch.targets, b));
              expect(inputs).toEqual(tokens.slice(b * R, b * R + covered));
              expect(targets).toEqual(tokens.slice(b * R + 1, b * R + covered + 1));
            }
            expect(batches.every((x) => x.inputs.shape[0] === batchSize && x.inputs.shape[1] <= timeSteps)).toBe(true);
          },
        ),
      );
    });

    it('should give the same epoch each time it is iterated', () => {
      const stream = languageModelBatches(
        Array.from({ length: 50 }, (_, i) => i),
        { batchSize: 3, timeSteps: 4 },
      );
      expect([...stream].map((b) => Array.from(b.inputs.data))).toEqual(
        [...stream].map((b) => Array.from(b.inputs.data)),
      );
    });

    it('should lay out a small stream as PyTorch batchify + get_batch', () => {
      const stream = languageModelBatches([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], { batchSize: 2, timeSteps: 3 });
      const batches = [...stream].map((b) => ({
        x: Array.from(b.inputs.data),
        y: Array.from(b.targets.data),
        shape: b.inputs.shape,
      }));
      expect(batches).toEqual([
        { x: [0, 1, 2, 4, 5, 6], y: [1, 2, 3, 5, 6, 7], shape: [2, 3] },
        { x: [3, 7], y: [4, 8], shape: [2, 1] },
      ]);
      expect([
        ...languageModelBatches([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], { batchSize: 2, timeSteps: 3, dropRemainder: true }),
      ]).toHaveLength(1);
    });
  });

  describe('bad input', () => {
    it('should refuse empty or too short token streams', () => {
      expect(() => languageModelBatches([], { batchSize: 1, timeSteps: 4 })).toThrow(
        /tokens: expected at least batchSize \+ 1 = 2 tokens/,
      );
      expect(() => languageModelBatches([1, 2, 3], { batchSize: 4, timeSteps: 4 })).toThrow(/received '3 tokens'/);
    });

    it('should refuse a time step longer than a row when the remainder is dropped', () => {
      expect(() => languageModelBatches([1, 2, 3, 4, 5], { batchSize: 2, timeSteps: 3, dropRemainder: true })).toThrow(
        /options\.timeSteps: expected at most the row length 2/,
      );
    });

    it('should name bad options and tokens', () => {
      expect(() => languageModelBatches([1, 2, 3], { batchSize: 1, timeSteps: 0 })).toThrow(
        /options\.timeSteps: expected a positive integer/,
      );
      expect(() => languageModelBatches([1, 2.5, 3], { batchSize: 1, timeSteps: 1 })).toThrow(
        /tokens\[1\]: expected a 32-bit integer/,
      );
    });
  });
});
