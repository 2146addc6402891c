import { RecurError } from '@recur/core';
import { maskFromLengths, padSequences } from '@recur/datasets';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { useLeakChecks } from './helpers.js';

const sequences = fc.array(fc.array(fc.integer({ min: 1, max: 50 }), { maxLength: 12 }), { maxLength: 8 });
const side = fc.constantFrom('pre' as const, 'post' as const);

describe('padSequences', () => {
  useLeakChecks();

  describe('shape and content', () => {
    it('should keep the kept part intact and mask exactly the padding, for every side and length', () => {
      fc.assert(
        fc.property(
          sequences,
          side,
          side,
          fc.option(fc.integer({ min: 1, max: 15 }), { nil: undefined }),
          (seqs, padding, truncating, maxLength) => {
            const out = padSequences(seqs, { padding, truncating, maxLength, value: -1 });
            const width = maxLength ?? Math.max(0, ...seqs.map((s) => s.length));
            expect(out.shape).toEqual([seqs.length, width]);
            seqs.forEach((s, i) => {
              const keptLength = Math.min(s.length, width);
              const kept = truncating === 'pre' ? s.slice(s.length - keptLength) : s.slice(0, keptLength);
              const row = Array.from(out.data.subarray(i * width, (i + 1) * width));
              const mask = Array.from(out.mask.subarray(i * width, (i + 1) * width));
              const offset = padding === 'pre' ? width - keptLength : 0;
              expect(row.slice(offset, offset + keptLength)).toEqual(kept);
              expect(row.filter((_, t) => t < offset || t >= offset + keptLength).every((v) => v === -1)).toBe(true);
              expect(mask).toEqual(row.map((_, t) => (t >= offset && t < offset + keptLength ? 1 : 0)));
              expect(out.lengths[i]).toBe(keptLength);
            });
          },
        ),
      );
    });

    it('should pad and truncate at the start by default, as Keras pad_sequences', () => {
      const out = padSequences([[1, 2, 3, 4], [5]], { maxLength: 3 });
      expect(Array.from(out.data)).toEqual([2, 3, 4, 0, 0, 5]);
      expect(Array.from(out.mask)).toEqual([1, 1, 1, 0, 0, 1]);
    });

    it('should tell a real 0 token from padding', () => {
      const out = padSequences([[0, 7], [0]], { padding: 'post' });
      expect(Array.from(out.data)).toEqual([0, 7, 0, 0]);
      expect(Array.from(out.mask)).toEqual([1, 1, 1, 0]);
    });
  });

  describe('maskFromLengths', () => {
    it('should give the same mask as padSequences', () => {
      fc.assert(
        fc.property(sequences, side, fc.integer({ min: 1, max: 15 }), (seqs, padding, maxLength) => {
          const out = padSequences(seqs, { padding, maxLength });
          expect(Array.from(maskFromLengths(out.lengths, maxLength, padding))).toEqual(Array.from(out.mask));
        }),
      );
    });

    it('should refuse a length longer than the row', () => {
      expect(() => maskFromLengths([2, 5], 4)).toThrow(/lengths\[1\]: expected an integer in \[0, 4\], received 5/);
    });
  });

  describe('bad input', () => {
    it('should name the element that is not an integer', () => {
      expect(() =>
        padSequences([
          [1, 2],
          [3, 0.5],
        ]),
      ).toThrow(/sequences\[1\]\[1\]: expected a 32-bit integer, received 0.5/);
      expect(() => padSequences([[1], 'ab' as unknown as number[]])).toThrow(RecurError);
    });

    it('should name bad options', () => {
      expect(() => padSequences([[1]], { maxLength: 0 })).toThrow(/options\.maxLength: expected a positive integer/);
      expect(() => padSequences([[1]], { padding: 'left' as 'pre' })).toThrow(
        /options\.padding: expected one of 'pre', 'post'/,
      );
      expect(() => padSequences([[1]], { value: Number.NaN })).toThrow(/options\.value: expected a 32-bit integer/);
    });
  });
});
