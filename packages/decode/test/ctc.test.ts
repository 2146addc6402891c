import { RecurError, Rng } from '@recur/core';
import { ctcGreedy, ctcPrefixBeamSearch } from '@recur/decode';
import { checkLeaks, describeBackends, expectClose } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const log = (rows: number[][][]) => rows.map((r) => r.map((step) => step.map(Math.log)));

/** Random distributions per step; with `peak`, one random class holds at least that much. */
function randomProbs(seed: number, time: number, classes: number, peak = 0): number[][] {
  const rng = new Rng(seed);
  return Array.from({ length: time }, () => {
    const raw = Array.from({ length: classes }, () => rng.next() + 1e-3);
    const sum = raw.reduce((a, v) => a + v, 0);
    const p = raw.map((v) => (v / sum) * (1 - peak));
    const k = rng.int(classes);
    p[k] = (p[k] as number) + peak;
    return p;
  });
}

/** log p(label | x) of every label, by enumerating every frame path (float64). */
function labelProbabilities(probs: number[][], blank: number): Map<string, number> {
  const out = new Map<string, number>();
  const walk = (t: number, path: number[], p: number) => {
    if (t === probs.length) {
      const key = path.filter((k, i) => k !== blank && (i === 0 || path[i - 1] !== k)).join(',');
      out.set(key, (out.get(key) ?? 0) + p);
      return;
    }
    (probs[t] as number[]).forEach((q, k) => {
      walk(t + 1, [...path, k], p * q);
    });
  };
  walk(0, [], 1);
  return out;
}

const tensorOf = (rows: number[][][]) => tf.tensor3d(log(rows));

describeBackends('ctc decoding', () => {
  checkLeaks();

  describe('ctcGreedy', () => {
    it('should take the best class per step, merge repeats and drop blanks, within each input length', () => {
      const onehot = (ks: number[]) => ks.map((k) => [0, 1, 2, 3].map((c) => (c === k ? 0.97 : 0.01)));
      const x = tensorOf([onehot([1, 1, 0, 1, 2, 2, 0, 3]), onehot([0, 2, 0, 0, 2, 3, 3, 1])]);
      const [a, b] = ctcGreedy(x, { inputLengths: [8, 6] });
      expect(a?.tokens).toEqual([1, 1, 2, 3]);
      expect(b?.tokens).toEqual([2, 2, 3]);
      expect(a?.score).toBeCloseTo(8 * Math.log(0.97), 4);
      x.dispose();
    });

    it('should honour a blank index other than 0', () => {
      const x = tensorOf([
        [
          [0.1, 0.2, 0.7],
          [0.8, 0.1, 0.1],
          [0.1, 0.2, 0.7],
          [0.1, 0.7, 0.2],
        ],
      ]);
      expect(ctcGreedy(x, { blank: 2 })[0]?.tokens).toEqual([0, 1]);
      x.dispose();
    });
  });

  describe('ctcPrefixBeamSearch', () => {
    it('should equal greedy with beam 1 where one class dominates every step (property)', () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 1, max: 8 }), (seed, time) => {
          const x = tensorOf([randomProbs(seed, time, 4, 0.9)]);
          const greedy = ctcGreedy(x)[0];
          const [best] = ctcPrefixBeamSearch(x, { beamWidth: 1 })[0] as { tokens: number[] }[];
          x.dispose();
          expect(best?.tokens).toEqual(greedy?.tokens);
        }),
        { numRuns: 50 },
      );
    });

    it('should find the label greedy misses: blanks win each step, the label wins summed over alignments', () => {
      // Greedy reads blank, blank: p('') = 0.36. But p('a') = 0.4·0.6 + 0.6·0.4 + 0.4·0.4 = 0.64.
      const x = tensorOf([
        [
          [0.6, 0.4],
          [0.6, 0.4],
        ],
      ]);
      expect(ctcGreedy(x)[0]?.tokens).toEqual([]);
      const beam = ctcPrefixBeamSearch(x, { beamWidth: 2 })[0];
      expect(beam?.map((h) => h.tokens)).toEqual([[1], []]);
      expectClose(beam?.map((h) => h.score) as number[], [Math.log(0.64), Math.log(0.36)], { rtol: 1e-5 });
      x.dispose();
    });

    it('should score every prefix by the exact summed probability of its alignments when the beam holds them all', () => {
      const probs = randomProbs(7, 4, 3);
      const exact = labelProbabilities(probs, 0);
      const x = tensorOf([probs]);
      const beam = ctcPrefixBeamSearch(x, { beamWidth: 1000 })[0] ?? [];
      x.dispose();
      expect(beam.length).toBe(exact.size);
      for (const h of beam) expect(h.score).toBeCloseTo(Math.log(exact.get(h.tokens.join(',')) as number), 5);
      const best = [...exact.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
      expect(beam[0]?.tokens.join(',')).toBe(best);
    });

    it('should keep repeated labels apart only through a blank', () => {
      // Steps a, blank, a give 'a a'; steps a, a, a give 'a'.
      const x = tensorOf([
        [
          [0.01, 0.99],
          [0.99, 0.01],
          [0.01, 0.99],
        ],
        [
          [0.01, 0.99],
          [0.01, 0.99],
          [0.01, 0.99],
        ],
      ]);
      const [first, second] = ctcPrefixBeamSearch(x, { beamWidth: 4 });
      expect(first?.[0]?.tokens).toEqual([1, 1]);
      expect(second?.[0]?.tokens).toEqual([1]);
      x.dispose();
    });

    it("should add the scorer's log-weight per emitted token, once per new prefix", () => {
      const x = tensorOf([
        [
          [0.6, 0.4],
          [0.6, 0.4],
        ],
      ]);
      const calls: string[] = [];
      const scorer = (prefix: readonly number[], token: number) => {
        calls.push(`${prefix.join(',')}|${token}`);
        return Math.log(0.1);
      };
      const beam = ctcPrefixBeamSearch(x, { beamWidth: 3, scorer })[0];
      // p('a') = 0.64 · 0.1 < p('') = 0.36: the language model turns the decision.
      expect(beam?.[0]?.tokens).toEqual([]);
      expectClose(beam?.map((h) => h.score) as number[], [Math.log(0.36), Math.log(0.064)], { rtol: 1e-5 });
      // Prefix 'a' ends in no blank after one step, so it cannot grow to 'a a': the scorer is not asked.
      expect(calls).toEqual(['|1', '|1']);
      x.dispose();
    });

    it('should skip classes below pruneBelow, never the best class of a step', () => {
      const x = tensorOf([
        [
          [0.6, 0.4],
          [0.6, 0.4],
        ],
      ]);
      expect(ctcPrefixBeamSearch(x, { beamWidth: 4, pruneBelow: Math.log(0.5) })[0]?.map((h) => h.tokens)).toEqual([
        [],
      ]);
      x.dispose();
    });
  });

  describe('bad input', () => {
    it('should name the argument, what it expected and what came', () => {
      const x = tensorOf([[[0.5, 0.5]]]);
      const flat = tf.zeros([1, 2]);
      const cases: [() => unknown, string, RegExp][] = [
        [() => ctcGreedy(flat as never), 'SHAPE_MISMATCH', /^logProbs: expected a float32 tensor/],
        [() => ctcGreedy(x, { blank: 2 }), 'BAD_CONFIG', /^options.blank: expected an integer in \[0, 2\)/],
        [
          () => ctcGreedy(x, { inputLengths: [2] }),
          'BAD_DATA',
          /^options.inputLengths\[0\]: expected an integer in \[0, 1\]/,
        ],
        [() => ctcPrefixBeamSearch(x, { beamWidth: 0 }), 'BAD_CONFIG', /^options.beamWidth/],
        [() => ctcPrefixBeamSearch(x, { beamWidth: 1, scorer: 3 as never }), 'BAD_CONFIG', /^options.scorer/],
        [() => ctcPrefixBeamSearch(x, { beamWidth: 1, width: 2 } as never), 'BAD_CONFIG', /^options.width/],
      ];
      for (const [run, code, message] of cases) {
        const before = tf.memory().numTensors;
        let error: unknown;
        try {
          run();
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(RecurError);
        expect((error as RecurError).code).toBe(code);
        expect((error as RecurError).message).toMatch(message);
        expect(tf.memory().numTensors).toBe(before);
      }
      tf.dispose([x, flat]);
    });
  });
});
