import { Rng } from '@recur/core';
import { checkLeaks, describeBackends, expectClose } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CrfParams, crf } from '../src/index.js';
import { expectRecurError } from './helpers/errors.js';

/** A tiny case in plain numbers: emissions [batch][time][tags], tags, mask. */
interface Case {
  readonly k: number;
  readonly transitions: number[][];
  readonly start: number[];
  readonly end: number[];
  readonly emissions: number[][][];
  readonly tags: number[][];
  readonly mask: number[][];
}

function randomCase(seed: number, batch: number, time: number, k: number, holes = false): Case {
  const rng = new Rng(seed);
  const r = () => 2 * rng.next() - 1;
  const grid = <T>(n: number, f: (i: number) => T) => Array.from({ length: n }, (_, i) => f(i));
  return {
    k,
    transitions: grid(k, () => grid(k, r)),
    start: grid(k, r),
    end: grid(k, r),
    emissions: grid(batch, () => grid(time, () => grid(k, () => 2 * r()))),
    tags: grid(batch, () => grid(time, () => rng.int(k))),
    // Row 0 is full, the last row empty when there is more than one; the others random (holes anywhere) or a prefix.
    mask: grid(batch, (b) =>
      grid(time, (t) => {
        if (b === 0) return 1;
        if (batch > 1 && b === batch - 1) return 0;
        return holes ? (rng.next() < 0.6 ? 1 : 0) : t < 1 + ((b * 7) % time) ? 1 : 0;
      }),
    ),
  };
}

/** s(y) in float64 for the real steps' tags `ys` at step indices `steps`. */
function pathScore(c: Case, b: number, steps: number[], ys: number[]): number {
  let s = 0;
  ys.forEach((y, i) => {
    const t = steps[i] as number;
    s += c.emissions[b]?.[t]?.[y] as number;
    s += i === 0 ? (c.start[y] as number) : (c.transitions[ys[i - 1] as number]?.[y] as number);
  });
  return ys.length === 0 ? 0 : s + (c.end[ys[ys.length - 1] as number] as number);
}

/** Every tag path of a row's real steps, by enumeration. */
function allPaths(k: number, n: number): number[][] {
  let paths: number[][] = [[]];
  for (let i = 0; i < n; i++) paths = paths.flatMap((p) => Array.from({ length: k }, (_, y) => [...p, y]));
  return paths;
}

const realSteps = (c: Case, b: number) => (c.mask[b] as number[]).flatMap((m, t) => (m ? [t] : []));

/** NLL per row by brute force over all K^n paths, in float64. */
function bruteNll(c: Case): number[] {
  return c.emissions.map((_, b) => {
    const steps = realSteps(c, b);
    if (steps.length === 0) return 0;
    const scores = allPaths(c.k, steps.length).map((ys) => pathScore(c, b, steps, ys));
    const max = Math.max(...scores);
    const logZ = max + Math.log(scores.reduce((a, s) => a + Math.exp(s - max), 0));
    const gold = steps.map((t) => c.tags[b]?.[t] as number);
    return logZ - pathScore(c, b, steps, gold);
  });
}

function bruteViterbi(c: Case): { tags: number[]; score: number }[] {
  return c.emissions.map((_, b) => {
    const steps = realSteps(c, b);
    if (steps.length === 0) return { tags: [], score: 0 };
    let best = { tags: [] as number[], score: -Infinity };
    for (const ys of allPaths(c.k, steps.length)) {
      const score = pathScore(c, b, steps, ys);
      if (score > best.score) best = { tags: ys, score };
    }
    return best;
  });
}

type Bumped = 'emissions' | 'transitions' | 'start' | 'end';

/** A copy of `c` with the i-th number of `c[key]` (row-major) moved by `d`. */
function bump(c: Case, key: Bumped, i: number, d: number): Case {
  const copy = structuredClone(c) as Case;
  let n = i;
  const walk = (node: unknown[]): boolean => {
    for (let j = 0; j < node.length; j++) {
      const child = node[j];
      if (Array.isArray(child)) {
        if (walk(child)) return true;
      } else if (n-- === 0) {
        node[j] = (child as number) + d;
        return true;
      }
    }
    return false;
  };
  walk(copy[key]);
  return copy;
}

function tensors(c: Case) {
  return {
    params: {
      transitions: tf.tensor2d(c.transitions),
      start: tf.tensor1d(c.start),
      end: tf.tensor1d(c.end),
    } as CrfParams,
    emissions: tf.tensor3d(c.emissions),
    tags: tf.tensor2d(c.tags, undefined, 'int32'),
    mask: tf.tensor2d(c.mask),
  };
}

describeBackends('crf', () => {
  checkLeaks();

  describe('nll', () => {
    it.each([
      ['prefix masks', 4, 4, 3, false],
      ['masks with holes', 5, 5, 3, true],
      ['one tag', 2, 3, 1, false],
      ['one step', 3, 1, 4, false],
    ] as const)('should equal brute-force enumeration of all tag paths: %s', (_name, batch, time, k, holes) => {
      const c = randomCase(batch * 31 + time, batch, time, k, holes);
      const t = tensors(c);
      const nll = crf({ numTags: k }).nll(t.params, t.emissions, t.tags, { mask: t.mask });
      expectClose(Array.from(nll.dataSync()), bruteNll(c), { rtol: 1e-5, atol: 1e-5 });
      tf.dispose([nll, t] as unknown as tf.TensorContainer);
    });

    it('should treat a missing mask as every step real', () => {
      const c = randomCase(3, 2, 4, 3);
      const full = { ...c, mask: c.mask.map((row) => row.map(() => 1)) };
      const t = tensors(c);
      const nll = crf({ numTags: 3 }).nll(t.params, t.emissions, t.tags);
      expectClose(Array.from(nll.dataSync()), bruteNll(full), { rtol: 1e-5, atol: 1e-5 });
      tf.dispose([nll, t] as unknown as tf.TensorContainer);
    });

    it('should be non-negative with exp(−NLL) summing to 1 over all paths (property)', () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 1, max: 3 }), (seed, time) => {
          const c = randomCase(seed, 1, time, 2);
          const layer = crf({ numTags: 2 });
          let total = 0;
          for (const ys of allPaths(2, time)) {
            const t = tensors({ ...c, tags: [ys] });
            const nll = layer.nll(t.params, t.emissions, t.tags, { mask: t.mask });
            const v = nll.dataSync()[0] as number;
            expect(v).toBeGreaterThanOrEqual(-1e-5);
            total += Math.exp(-v);
            tf.dispose([nll, t] as unknown as tf.TensorContainer);
          }
          expect(total).toBeCloseTo(1, 4);
        }),
        { numRuns: 10 },
      );
    });

    it('should match float64 central differences of the brute-force NLL in every input', () => {
      const c = randomCase(7, 3, 3, 3, true);
      const weights = [0.7, -1.3, 0.4];
      const layer = crf({ numTags: 3 });
      const t = tensors(c);
      const w = tf.tensor1d(weights);
      const grads = tf.grads((e, a, s, z) =>
        tf.sum(
          tf.mul(
            layer.nll(
              { transitions: a as tf.Tensor2D, start: s as tf.Tensor1D, end: z as tf.Tensor1D },
              e as tf.Tensor3D,
              t.tags,
              {
                mask: t.mask,
              },
            ),
            w,
          ),
        ),
      )([t.emissions, t.params.transitions, t.params.start, t.params.end]);
      const loss = (x: Case) => bruteNll(x).reduce((a, v, i) => a + v * (weights[i] as number), 0);
      const h = 1e-5;
      const numeric = (key: Bumped) =>
        ([c[key]].flat(3) as number[]).map((_, i) => (loss(bump(c, key, i, h)) - loss(bump(c, key, i, -h))) / (2 * h));
      const [ge, ga, gs, gz] = grads.map((g) => Array.from(g.dataSync()));
      expectClose(ge as number[], numeric('emissions'), { rtol: 1e-3, atol: 1e-4 });
      expectClose(ga as number[], numeric('transitions'), { rtol: 1e-3, atol: 1e-4 });
      expectClose(gs as number[], numeric('start'), { rtol: 1e-3, atol: 1e-4 });
      expectClose(gz as number[], numeric('end'), { rtol: 1e-3, atol: 1e-4 });
      tf.dispose([grads, t, w] as unknown as tf.TensorContainer);
    });
  });

  describe('viterbi', () => {
    it.each([
      ['prefix masks', 4, 4, 3, false],
      ['masks with holes', 5, 5, 3, true],
      ['one step', 2, 1, 4, false],
    ] as const)('should equal the brute-force argmax over all paths: %s', (_name, batch, time, k, holes) => {
      const c = randomCase(batch * 13 + time, batch, time, k, holes);
      const t = tensors(c);
      const paths = crf({ numTags: k }).viterbi(t.params, t.emissions, { mask: t.mask });
      const brute = bruteViterbi(c);
      expect(paths.map((p) => p.tags)).toEqual(brute.map((p) => p.tags));
      expectClose(
        paths.map((p) => p.score),
        brute.map((p) => p.score),
        { rtol: 1e-5, atol: 1e-5 },
      );
      tf.dispose(t as unknown as tf.TensorContainer);
    });

    it('should pick the path of least NLL (property)', () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 1000 }), (seed) => {
          const c = randomCase(seed, 1, 4, 3);
          const t = tensors(c);
          const layer = crf({ numTags: 3 });
          const [best] = layer.viterbi(t.params, t.emissions);
          const nllOf = (ys: number[]) => bruteNll({ ...c, tags: [ys] })[0] as number;
          const least = Math.min(...allPaths(3, 4).map(nllOf));
          expect(nllOf(best?.tags as number[])).toBeCloseTo(least, 5);
          tf.dispose(t as unknown as tf.TensorContainer);
        }),
        { numRuns: 20 },
      );
    });
  });

  describe('init', () => {
    it('should make transitions [k, k] and start and end [k] from the rng, the same for the same seed', () => {
      const layer = crf({ numTags: 5 });
      const a = layer.init(new Rng(4));
      const b = layer.init(new Rng(4));
      expect(a.transitions.shape).toEqual([5, 5]);
      expect(a.start.shape).toEqual([5]);
      expect(a.end.shape).toEqual([5]);
      expect(a.transitions.arraySync()).toEqual(b.transitions.arraySync());
      tf.dispose([a, b] as unknown as tf.TensorContainer);
    });
  });

  describe('bad input', () => {
    const layer = crf({ numTags: 3 });
    const c = randomCase(1, 2, 3, 3);

    it('should name emissions of the wrong tag count', () => {
      const t = tensors(c);
      const bad = tf.zeros([2, 3, 4]) as tf.Tensor3D;
      expectRecurError(() => layer.nll(t.params, bad, t.tags), 'SHAPE_MISMATCH', [
        'emissions',
        '[batch, time, 3]',
        '[2, 3, 4]',
      ]);
      tf.dispose([t, bad] as unknown as tf.TensorContainer);
    });

    it('should name tags of the wrong shape, dtype or range', () => {
      const t = tensors(c);
      const shape = tf.zeros([2, 2], 'int32') as tf.Tensor2D;
      const dtype = tf.zeros([2, 3]) as tf.Tensor2D;
      const range = tf.tensor2d(
        [
          [0, 1, 2],
          [3, 0, 0],
        ],
        undefined,
        'int32',
      );
      expectRecurError(() => layer.nll(t.params, t.emissions, shape), 'SHAPE_MISMATCH', ['tags', '[2, 3]', '[2, 2]']);
      expectRecurError(() => layer.nll(t.params, t.emissions, dtype), 'SHAPE_MISMATCH', ['tags', 'int32', 'float32']);
      expectRecurError(() => layer.nll(t.params, t.emissions, range), 'BAD_DATA', ['tags[1][0]', '[0, 3)', '3']);
      tf.dispose([t, shape, dtype, range] as unknown as tf.TensorContainer);
    });

    it('should name a mask, params or option that does not fit', () => {
      const t = tensors(c);
      const mask = tf.ones([2, 4]) as tf.Tensor2D;
      const transitions = tf.zeros([3, 2]) as tf.Tensor2D;
      expectRecurError(() => layer.viterbi(t.params, t.emissions, { mask }), 'SHAPE_MISMATCH', [
        'options.mask',
        '[2, 3]',
      ]);
      expectRecurError(() => layer.logPartition({ ...t.params, transitions }, t.emissions), 'SHAPE_MISMATCH', [
        'params.transitions',
        '[3, 3]',
        '[3, 2]',
      ]);
      expectRecurError(() => layer.nll(t.params, t.emissions, t.tags, { masks: t.mask } as never), 'BAD_CONFIG', [
        'options.masks',
      ]);
      tf.dispose([t, mask, transitions] as unknown as tf.TensorContainer);
    });

    it('should refuse a bad config', () => {
      expectRecurError(() => crf({ numTags: 0 }), 'BAD_CONFIG', ['crf config.numTags', 'positive integer']);
      expectRecurError(() => crf({ numTags: 2, initializer: 'nope' }), 'BAD_CONFIG', ['crf config.initializer']);
    });
  });
});
