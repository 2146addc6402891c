import { Rng } from '@recur/core';
import { generate, generateBatch, type SampleStrategy } from '@recur/decode';
import { checkLeaks, describeBackends } from '@recur/test-utils';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { constant, randomDistribution, tableModel } from './helpers/table-model.js';

/** Upper 0.1 % points of χ² by degrees of freedom. */
const CHI2_999 = [0, 10.83, 13.82, 16.27, 18.47];

/** One draw per row from a prefix-independent distribution. */
function draws(probs: readonly number[], n: number, strategy: SampleStrategy): number[] {
  const model = tableModel(probs.length, constant(probs));
  return generateBatch(
    model,
    Array.from({ length: n }, () => [0]),
    { maxLength: 1, strategy },
  ).map((row) => row[0] as number);
}

function expectFrequencies(samples: readonly number[], expected: readonly number[]): void {
  const counts = expected.map((_, v) => samples.filter((s) => s === v).length);
  expected.forEach((p, v) => {
    if (p === 0) expect(counts[v], `token ${v} is outside the allowed set`).toBe(0);
  });
  const allowed = expected.flatMap((p, v) => (p > 0 ? [v] : []));
  const chi2 = allowed.reduce((s, v) => {
    const e = (expected[v] as number) * samples.length;
    return s + ((counts[v] as number) - e) ** 2 / e;
  }, 0);
  expect(chi2).toBeLessThan(CHI2_999[allowed.length - 1] as number);
}

const normalise = (w: readonly number[]) => {
  const total = w.reduce((a, b) => a + b, 0);
  return w.map((x) => x / total);
};

describeBackends('sampling', () => {
  checkLeaks();

  describe('generate with { kind: "sample" }', () => {
    it('should never emit a token outside the top-k / top-p set', () => {
      fc.assert(
        fc.property(
          fc.array(fc.double({ min: 1e-3, max: 1, noNaN: true }), { minLength: 2, maxLength: 8 }),
          fc.integer({ min: 1, max: 9 }),
          fc.double({ min: 1e-3, max: 1, noNaN: true }),
          fc.constantFrom(0.5, 1, 2),
          fc.integer({ min: 0, max: 1e6 }),
          (weights, topK, topP, temperature, seed) => {
            const probs = normalise(weights);
            // What the sampler sees: float32 log-probabilities, tempered, as weights.
            const w = probs.map((p) => Math.exp(Math.fround(Math.log(p)) / temperature));
            const rank = w.map((_, v) => w.filter((x, u) => x > (w[v] as number) || (x === w[v] && u < v)).length);
            const inTopK = w.map((_, v) => (rank[v] as number) < topK);
            const massK = w.reduce((s, x, v) => s + (inTopK[v] ? x : 0), 0);
            // A token is in the nucleus iff the mass ranked before it has not yet reached p.
            const before = w.map((_, v) =>
              w.reduce((s, x, u) => s + (inTopK[u] && (rank[u] as number) < (rank[v] as number) ? x : 0), 0),
            );
            fc.pre(before.every((b) => Math.abs(b - topP * massK) > 1e-9 * massK));
            const allowed = w.map((_, v) => inTopK[v] && (before[v] as number) < topP * massK);
            const samples = draws(probs, 40, { kind: 'sample', rng: new Rng(seed), topK, topP, temperature });
            for (const s of samples) expect(allowed[s], `token ${s} of ${JSON.stringify(probs)}`).toBe(true);
          },
        ),
        { numRuns: 60 },
      );
    });

    it('should repeat its samples for the same seed and change them for another', () => {
      const model = tableModel(5, randomDistribution(5, 3));
      const prompts = Array.from({ length: 30 }, (_, i) => [i % 5]);
      const run = (seed: number) =>
        generateBatch(model, prompts, { maxLength: 6, strategy: { kind: 'sample', rng: new Rng(seed), topP: 0.9 } });
      expect(run(42)).toEqual(run(42));
      expect(run(43)).not.toEqual(run(42));
    });

    it('should approach greedy decoding as the temperature falls', () => {
      const dist = randomDistribution(5, 8);
      const model = tableModel(5, dist);
      const greedy = generate(model, [1], { maxLength: 10 });
      // Premise: along the greedy path the best token leads the next by ≥ 0.05 in log-probability,
      // so at T = 1e-3 any other token weighs < e^−50 of it.
      greedy.forEach((_, t) => {
        const lp = dist([1, ...greedy.slice(0, t)])
          .map(Math.log)
          .sort((a, b) => b - a);
        expect((lp[0] as number) - (lp[1] as number)).toBeGreaterThan(0.05);
      });
      const disagreements = (temperature: number) =>
        Array.from({ length: 10 }, (_, seed) =>
          generate(model, [1], { maxLength: 10, strategy: { kind: 'sample', rng: new Rng(seed), temperature } }),
        ).reduce((n, tokens) => n + tokens.filter((token, t) => token !== greedy[t]).length, 0);
      const [warm, cool, cold] = [1, 0.1, 1e-3].map(disagreements) as [number, number, number];
      expect(warm).toBeGreaterThan(0);
      expect(cool).toBeLessThanOrEqual(warm);
      expect(cold).toBe(0);
    });

    describe('empirical frequencies', () => {
      const probs = [0.1, 0.2, 0.3, 0.15, 0.25];
      const n = 3000;

      it('should match the model distribution', () => {
        expectFrequencies(draws(probs, n, { kind: 'sample', rng: new Rng(1) }), probs);
      });

      it('should match p^(1/T), renormalised, under temperature T', () => {
        expectFrequencies(
          draws(probs, n, { kind: 'sample', rng: new Rng(2), temperature: 0.5 }),
          normalise(probs.map((p) => p ** 2)),
        );
      });

      it('should match the renormalised top-k distribution', () => {
        expectFrequencies(
          draws(probs, n, { kind: 'sample', rng: new Rng(3), topK: 3 }),
          normalise([0, 0.2, 0.3, 0, 0.25]),
        );
      });

      it('should match the renormalised nucleus', () => {
        // Sorted: 0.3, 0.25 (cumulative 0.55 ≥ 0.5): the nucleus is tokens 2 and 4.
        expectFrequencies(
          draws(probs, n, { kind: 'sample', rng: new Rng(4), topP: 0.5 }),
          normalise([0, 0, 0.3, 0, 0.25]),
        );
      });

      it('should apply top-p to the top-k survivors renormalised', () => {
        // Top-4 renormalised: 0.333, 0.278, 0.222, 0.167; cumulative 0.611 ≥ 0.6 after two.
        // (Top-p on the raw distribution would keep three: 0.3 + 0.25 < 0.6.)
        expectFrequencies(
          draws(probs, n, { kind: 'sample', rng: new Rng(5), topK: 4, topP: 0.6 }),
          normalise([0, 0, 0.3, 0, 0.25]),
        );
      });

      it('should keep the single most probable token when p is below its probability', () => {
        expect(new Set(draws(probs, 200, { kind: 'sample', rng: new Rng(6), topP: 0.01 }))).toEqual(new Set([2]));
      });
    });
  });
});
