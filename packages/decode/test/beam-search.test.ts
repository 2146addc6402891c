import { beamSearch, generate, type Hypothesis, lengthPenalty } from '@recur/decode';
import { checkLeaks, describeBackends, expectClose } from '@recur/test-utils';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Distribution, exhaustive, randomDistribution, tableModel } from './helpers/table-model.js';

const END = 0;

function expectSortedAndDistinct(hyps: readonly Hypothesis[]): void {
  for (let i = 1; i < hyps.length; i++) {
    expect((hyps[i - 1] as Hypothesis).score).toBeGreaterThanOrEqual((hyps[i] as Hypothesis).score);
  }
  expect(new Set(hyps.map((h) => h.tokens.join(','))).size).toBe(hyps.length);
}

describeBackends('beamSearch', () => {
  checkLeaks();

  describe('beamSearch', () => {
    it('should equal greedy decoding with beam width 1 and no length penalty', () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 1, max: 3 }), (seed, first) => {
          const model = tableModel(4, randomDistribution(4, seed));
          const [best] = beamSearch(model, [[first]], { beamWidth: 1, maxLength: 6, endToken: END })[0] ?? [];
          const greedy = generate(model, [first], { maxLength: 6, endToken: END });
          expect(best?.tokens).toEqual(greedy);
          expect(best?.finished).toBe(greedy.at(-1) === END);
        }),
        { numRuns: 25 },
      );
    });

    it('should find the exhaustive-search n-best with a beam wide enough to keep every candidate', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: 1e6 }),
          fc.constantFrom(0, 0.6, 1, 2),
          fc.integer({ min: 1, max: 6 }),
          (seed, alpha, nBest) => {
            const dist = randomDistribution(3, seed, 0.05);
            // 3 tokens, 4 steps: at most 3 · 2³ = 24 candidates at the last step.
            const found = beamSearch(tableModel(3, dist), [[1]], {
              beamWidth: 24,
              maxLength: 4,
              endToken: END,
              lengthPenalty: alpha,
              nBest,
            })[0] as Hypothesis[];
            const truth = exhaustive(dist, [1], 3, { endToken: END, maxLength: 4, alpha }).slice(0, nBest);
            expect(found.map((h) => h.tokens)).toEqual(truth.map((h) => h.tokens));
            expectClose(
              found.map((h) => h.score),
              truth.map((h) => h.score),
              { rtol: 1e-12 },
            );
            expect(found.map((h) => h.finished)).toEqual(truth.map((h) => h.finished));
          },
        ),
        { numRuns: 30 },
      );
    });

    it('should return distinct n-best hypotheses sorted by score, each scored by the GNMT formula', () => {
      const dist = randomDistribution(5, 7);
      const results = beamSearch(tableModel(5, dist), [[1], [2, 3]], {
        beamWidth: 4,
        maxLength: 7,
        endToken: END,
        lengthPenalty: 0.8,
        nBest: 4,
      });
      for (const [i, hyps] of results.entries()) {
        expect(hyps).toHaveLength(4);
        expectSortedAndDistinct(hyps);
        for (const h of hyps) {
          const prompt = i === 0 ? [1] : [2, 3];
          const logProb = h.tokens.reduce(
            (sum, t, k) => sum + Math.fround(Math.log(dist([...prompt, ...h.tokens.slice(0, k)])[t] as number)),
            0,
          );
          expectClose(h.logProb, logProb, { rtol: 1e-12 });
          expectClose(h.score, logProb / ((5 + h.tokens.length) / 6) ** 0.8, { rtol: 1e-12 });
          expect(h.finished).toBe(h.tokens.at(-1) === END);
          expect(h.tokens.slice(0, -1)).not.toContain(END);
        }
      }
    });

    it('should prefer a short hypothesis at α = 0 and a longer one at α = 1, as the formula says', () => {
      // [END] has P = 0.4. [a, a, a, END] has P = 0.55 · 0.8 · 0.8 · 0.9 ≈ 0.317: lower, but
      // divided by lp(4) = 1.5 at α = 1 it scores −0.766 against −0.916.
      const a = 1;
      const dist: Distribution = (prefix) => {
        const n = prefix.length - 1;
        if (n === 0) return [0.4, 0.55, 0.05];
        if (n < 3) return [0.1, 0.8, 0.1];
        return [0.9, 0.05, 0.05];
      };
      const options = { beamWidth: 3, maxLength: 5, endToken: END, nBest: 2 };
      const short = beamSearch(tableModel(3, dist), [[2]], { ...options, lengthPenalty: 0 })[0] as Hypothesis[];
      const long = beamSearch(tableModel(3, dist), [[2]], { ...options, lengthPenalty: 1 })[0] as Hypothesis[];
      expect(short[0]?.tokens).toEqual([END]);
      expect(long[0]?.tokens).toEqual([a, a, a, END]);

      const logShort = Math.fround(Math.log(0.4));
      const logLong = [0.55, 0.8, 0.8, 0.9].reduce((s, p) => s + Math.fround(Math.log(p)), 0);
      expectClose(short[0]?.score as number, logShort, { rtol: 1e-12 });
      expectClose(short[1]?.score as number, logLong, { rtol: 1e-12 });
      expectClose(long[0]?.score as number, logLong / 1.5, { rtol: 1e-12 });
      expectClose(long[1]?.score as number, logShort / 1, { rtol: 1e-12 });
      expect(lengthPenalty(4, 1)).toBeCloseTo(1.5, 12);
    });

    it('should give each input of a batch the result it gets alone', () => {
      const dist = randomDistribution(5, 11);
      const prompts = [[1], [2, 4], [3, 3, 1], [4]];
      const options = { beamWidth: 3, maxLength: 6, endToken: END, lengthPenalty: 0.7, nBest: 3 };
      const batched = beamSearch(tableModel(5, dist), prompts, options);
      const alone = prompts.map((p) => beamSearch(tableModel(5, dist), [p], options)[0]);
      expect(batched).toEqual(alone);
    });

    it('should stop once no live hypothesis can beat the n-th finished one', () => {
      // The end token has P = 0.9 at every step: finished hypotheses soon dominate.
      const model = tableModel(3, () => [0.9, 0.06, 0.04]);
      const [hyps] = beamSearch(model, [[1]], { beamWidth: 2, maxLength: 50, endToken: END, nBest: 2 });
      expect(hyps?.map((h) => h.tokens)).toEqual([[END], [1, END]]);
      expect(model.calls.step).toBeLessThan(5);
    });

    it('should not stop while a longer hypothesis can still win through the length penalty', () => {
      // α = 2: [END] scores log 0.6 = −0.51. The live [a] (log 0.4 = −0.92) cannot beat that
      // at length 2 (−0.92 / lp(2) = −0.67) but can at length 4 (−0.92 / lp(4) = −0.41), and
      // [a, a, a, END] does: (log 0.4 + 3 log 0.95) / 2.25 = −0.48.
      const dist: Distribution = (prefix) => {
        const n = prefix.length - 1;
        if (n === 0) return [0.6, 0.4];
        return n < 3 ? [0.05, 0.95] : [0.95, 0.05];
      };
      const options = { endToken: END, maxLength: 4, alpha: 2 };
      const [best] = beamSearch(tableModel(2, dist), [[1]], { ...options, beamWidth: 2, lengthPenalty: 2 })[0] ?? [];
      const truth = exhaustive(dist, [1], 2, options)[0];
      expect(best?.tokens).toEqual([1, 1, 1, END]);
      expect(best?.tokens).toEqual(truth?.tokens);
    });

    it('should count hypotheses cut at maxLength as candidates', () => {
      // Ending is unlikely: the best candidates are the unfinished ones at maxLength.
      const dist: Distribution = () => [0.01, 0.7, 0.29];
      const [hyps] = beamSearch(tableModel(3, dist), [[1]], { beamWidth: 4, maxLength: 3, endToken: END, nBest: 3 });
      expect(hyps?.map((h) => [h.tokens, h.finished])).toEqual([
        [[1, 1, 1], false],
        [[1, 1, 2], false],
        [[1, 2, 1], false],
      ]);
    });

    it('should rank by log-probability alone and run to maxLength without an end token', () => {
      const dist = randomDistribution(3, 5);
      const [hyps] = beamSearch(tableModel(3, dist), [[1]], { beamWidth: 27, maxLength: 3, nBest: 5 });
      const truth = exhaustive(dist, [1], 3, { maxLength: 3, alpha: 0 }).slice(0, 5);
      expect(hyps?.map((h) => h.tokens)).toEqual(truth.map((h) => h.tokens));
      expect(hyps?.every((h) => h.tokens.length === 3 && !h.finished)).toBe(true);
    });

    it('should never keep an impossible (probability 0) hypothesis', () => {
      const [hyps] = beamSearch(
        tableModel(3, () => [0, 1, 0]),
        [[1]],
        { beamWidth: 3, maxLength: 2, nBest: 3 },
      );
      expect(hyps?.map((h) => h.tokens)).toEqual([[1, 1]]);
    });

    it('should drop finished rows from the model batch as inputs stop', () => {
      const certainEnd: Distribution = (prefix) => (prefix[0] === 1 ? [1, 0, 0] : [0.1, 0.5, 0.4]);
      const model = tableModel(3, certainEnd);
      beamSearch(model, [[1], [2]], { beamWidth: 2, maxLength: 4, endToken: END });
      // Input 0 ends at once; only input 1's two beams are stepped.
      expect(model.calls.stepRows).toEqual([2, 2, 2]);
    });
  });
});
