import {
  accuracy,
  bitsPerCharacter,
  closestReferenceErrorRates,
  editDistance,
  mae,
  mape,
  mase,
  perplexity,
  phonemeErrorRate,
  precisionRecallF1,
  rmse,
  rocAuc,
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

  describe('ROC AUC', () => {
    it('should give the hand-computed areas, ties counting one half', () => {
      // Positives 0.35 and 0.8 against negatives 0.1 and 0.4: 3 of 4 pairs ordered right.
      expect(rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBe(0.75);
      // Pairs (0.5, 0.5) tie, the other three are right: 3.5 / 4.
      expect(rocAuc([0.5, 0.5, 0.2, 0.9], [1, 0, 0, 1])).toBe(0.875);
      expect(rocAuc([3, 2, 1], [1, 1, 0])).toBe(1);
      expect(rocAuc([3, 2, 1], [0, 0, 1])).toBe(0);
      // Class 2 as the positive one, the other labels negatives.
      expect(rocAuc([0.9, 0.1, 0.5], [2, 0, 1], 2)).toBe(1);
    });

    it('should equal the pairwise count on random scores with ties', () => {
      const example = fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.boolean()), { minLength: 2, maxLength: 40 });
      fc.assert(
        fc.property(example, (rows) => {
          const pos = rows.filter(([, y]) => y).map(([s]) => s);
          const neg = rows.filter(([, y]) => !y).map(([s]) => s);
          fc.pre(pos.length > 0 && neg.length > 0);
          let wins = 0;
          for (const p of pos) for (const n of neg) wins += p > n ? 1 : p === n ? 0.5 : 0;
          const auc = rocAuc(
            rows.map(([s]) => s),
            rows.map(([, y]) => (y ? 1 : 0)),
          );
          expect(auc).toBeCloseTo(wins / (pos.length * neg.length), 12);
        }),
      );
    });

    it('should refuse one-class labels, mismatched lengths and non-finite scores', () => {
      expect(() => rocAuc([0.1, 0.2], [1, 1])).toThrow(/rocAuc: labels: expected both class 1 and another class/);
      expect(() => rocAuc([0.1, 0.2], [1])).toThrow(/rocAuc: labels: expected 2 values/);
      expect(() => rocAuc([0.1, Number.NaN], [1, 0])).toThrow(/rocAuc: scores\[1\]: expected a finite number/);
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

  describe('error rates against the closest of several references', () => {
    it('should count a word right if it matches any reference, and PER against the closest', () => {
      const refs = [
        [
          ['T', 'AH', 'M', 'EY', 'T', 'OW'],
          ['T', 'AH', 'M', 'AA', 'T', 'OW'],
        ],
        [['K', 'AE', 'T']],
        [
          ['EH', 'K', 'S'],
          ['IH', 'K', 'S', 'T'],
        ],
      ];
      const hyps = [
        ['T', 'AH', 'M', 'AA', 'T', 'OW'],
        ['K', 'AA', 'T'],
        ['IH', 'K', 'S'],
      ];
      const r = closestReferenceErrorRates(refs, hyps);
      // Word 1 matches its second reference; word 2 has 1 error in 3; word 3 is 1 from both, the first listed is taken.
      expect(r.closest).toEqual([1, 0, 0]);
      expect(r.sequenceErrorRate).toBeCloseTo(2 / 3, 12);
      expect(r.tokenErrorRate).toBeCloseTo(2 / 12, 12);
    });

    it('should reduce to the single-reference rates with one reference each', () => {
      const seq = fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 6 });
      fc.assert(
        fc.property(fc.array(fc.tuple(seq, seq), { minLength: 1, maxLength: 10 }), (rows) => {
          const refs = rows.map(([r]) => r);
          const hyps = rows.map(([, h]) => h);
          const r = closestReferenceErrorRates(
            refs.map((x) => [x]),
            hyps,
          );
          expect(r.tokenErrorRate).toBeCloseTo(phonemeErrorRate(refs, hyps), 12);
          expect(r.sequenceErrorRate).toBe(sequenceErrorRate(refs, hyps));
        }),
      );
    });

    it('should never score worse when a reference is added', () => {
      const seq = fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 6 });
      fc.assert(
        fc.property(fc.array(fc.tuple(seq, seq, seq), { minLength: 1, maxLength: 10 }), (rows) => {
          const one = closestReferenceErrorRates(
            rows.map(([r]) => [r]),
            rows.map(([, , h]) => h),
          );
          const two = closestReferenceErrorRates(
            rows.map(([r, s]) => [r, s]),
            rows.map(([, , h]) => h),
          );
          expect(two.sequenceErrorRate).toBeLessThanOrEqual(one.sequenceErrorRate);
        }),
      );
    });

    it('should refuse empty reference sets and mismatched lengths', () => {
      expect(() => closestReferenceErrorRates([[]], [['A']])).toThrow(
        /closestReferenceErrorRates: references\[0\]: expected at least one reference/,
      );
      expect(() => closestReferenceErrorRates([[['A']]], [])).toThrow(/hypotheses: expected 1 sequences/);
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
