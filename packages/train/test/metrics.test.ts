import {
  accuracy,
  bitsPerCharacter,
  editDistance,
  mae,
  mape,
  mase,
  perplexity,
  phonemeErrorRate,
  precisionRecallF1,
  rmse,
  sequenceErrorRate,
  wordErrorRate,
} from '@recur/train';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

describe('metrics', () => {
  describe('classification', () => {
    it('should count accuracy over unmasked positions only', () => {
      expect(accuracy([1, 2, 3, 4], [1, 0, 3, 0])).toBe(0.5);
      expect(accuracy([1, 2, 3, 4], [1, 0, 3, 0], { mask: [1, 0, 1, 0] })).toBe(1);
    });

    it('should compute precision, recall and F1 from the confusion counts', () => {
      const s = precisionRecallF1([1, 1, 0, 0, 1, 0], [1, 0, 0, 1, 1, 0]);
      expect(s.truePositives).toBe(2);
      expect(s.falsePositives).toBe(1);
      expect(s.falseNegatives).toBe(1);
      expect(s.precision).toBeCloseTo(2 / 3);
      expect(s.recall).toBeCloseTo(2 / 3);
      expect(s.f1).toBeCloseTo(2 / 3);
      expect(precisionRecallF1([0, 0], [0, 0]).f1).toBe(0);
    });

    it('should turn cross-entropy in nats into perplexity and bits', () => {
      expect(perplexity(Math.log(5))).toBeCloseTo(5);
      expect(bitsPerCharacter(Math.LN2 * 1.5)).toBeCloseTo(1.5);
    });
  });

  describe('regression', () => {
    it('should compute MAE, RMSE and MAPE', () => {
      expect(mae([1, 2, 3], [2, 2, 5])).toBeCloseTo(1);
      expect(rmse([1, 2, 3], [2, 2, 5])).toBeCloseTo(Math.sqrt(5 / 3));
      expect(mape([110, 90, 5], [100, 100, 0])).toBeCloseTo(10);
    });

    it('should scale MASE by the in-sample seasonal naive error', () => {
      // Seasonal naive (m = 2) on the training series errs by 2 on average.
      const training = [1, 5, 3, 7, 5, 9];
      expect(mase([10, 10], [11, 9], training, 2)).toBeCloseTo(0.5);
      // A forecast exactly as good as seasonal naive scores 1.
      expect(mase([0], [2], training, 2)).toBeCloseTo(1);
      expect(() => mase([1], [1], [1, 1, 1], 1)).toThrow(/constant/);
    });
  });

  describe('sequence error rates', () => {
    it('should compute Levenshtein distances', () => {
      expect(editDistance([...'kitten'], [...'sitting'])).toBe(3);
      expect(editDistance([], ['a', 'b'])).toBe(2);
    });

    it('should satisfy the metric axioms on random sequences', () => {
      const seq = fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 8 });
      fc.assert(
        fc.property(seq, seq, seq, (a, b, c) => {
          expect(editDistance(a, a)).toBe(0);
          expect(editDistance(a, b)).toBe(editDistance(b, a));
          expect(editDistance(a, c)).toBeLessThanOrEqual(editDistance(a, b) + editDistance(b, c));
          expect(editDistance(a, b)).toBeLessThanOrEqual(Math.max(a.length, b.length));
          expect(editDistance(a, b)).toBeGreaterThanOrEqual(Math.abs(a.length - b.length));
        }),
      );
    });

    it('should give phoneme, sequence and word error rates', () => {
      const refs = [
        ['K', 'AE', 'T'],
        ['D', 'AO', 'G'],
      ];
      const hyps = [
        ['K', 'AE', 'T'],
        ['D', 'AA', 'G', 'Z'],
      ];
      expect(phonemeErrorRate(refs, hyps)).toBeCloseTo(2 / 6);
      expect(sequenceErrorRate(refs, hyps)).toBe(0.5);
      expect(wordErrorRate(['the cat sat'], ['the bat sat down'])).toBeCloseTo(2 / 3);
    });
  });

  describe('bad input', () => {
    it('should name mismatched lengths', () => {
      expect(() => mae([1], [1, 2])).toThrow(/mae: targets: expected 1 values \(as predictions\), received 2/);
      expect(() => phonemeErrorRate([['a']], [])).toThrow(/expected 1 sequences, received 0/);
      expect(() => mase([1], [1], [1, 2], 0)).toThrow(/season: expected a positive integer, received 0/);
    });
  });
});
