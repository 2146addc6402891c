import { Rng } from '@recur/core';
import { checkLeaks, describeBackends, expectClose } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ATTENTION_KINDS, type AttentionKind, type AttentionParams, attention } from '../src/index.js';
import { expectRecurError } from './helpers/errors.js';
import { randomTensor } from './helpers/oracle.js';

const BATCH = 4;
const SOURCE = 5;
const SIZE = 3;
// Row 1 is padded at the end, row 2 in the middle (any mask works), row 3 has one real position.
const MASK = [
  [1, 1, 1, 1, 1],
  [1, 1, 1, 0, 0],
  [1, 0, 1, 0, 1],
  [0, 0, 0, 1, 0],
];

const rows = (t: tf.Tensor): number[][] => t.arraySync() as number[][];

/** float64 reference of the three score functions (see attention.ts). */
function referenceScores(kind: AttentionKind, p: Record<string, number[][] | number[]>, q: number[], m: number[][]) {
  const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * (b[i] as number), 0);
  const times = (x: number[], w: number[][]) =>
    (w[0] as number[]).map((_, j) => x.reduce((s, xi, i) => s + xi * ((w[i] as number[])[j] as number), 0));
  if (kind === 'dot') return m.map((h) => dot(q, h));
  if (kind === 'general') return m.map((h) => dot(times(q, p.kernel as number[][]), h));
  const wq = times(q, p.queryKernel as number[][]);
  return m.map((h) => {
    const wk = times(h, p.memoryKernel as number[][]);
    return dot(
      p.v as number[],
      wq.map((a, i) => Math.tanh(a + (wk[i] as number))),
    );
  });
}

describeBackends('attention', () => {
  checkLeaks();

  describe.each(ATTENTION_KINDS.map((k) => [k]))('%s', (kind) => {
    const layer = attention({ kind, querySize: SIZE, memorySize: SIZE, ...(kind === 'additive' ? { units: 4 } : {}) });

    describe('apply', () => {
      it('should give weights summing to 1 over real positions, exactly 0 on padding, and the float64 result', () => {
        const params = layer.init(new Rng(3));
        const query = randomTensor<tf.Rank.R2>([BATCH, SIZE], 11);
        const memory = randomTensor<tf.Rank.R3>([BATCH, SOURCE, SIZE], 12);
        const mask = tf.tensor2d(MASK, [BATCH, SOURCE], 'int32');
        const { context, weights } = layer.apply(params, query, memory, { mask });
        const w = rows(weights);
        const p = Object.fromEntries(Object.entries(params).map(([k, t]) => [k, t.arraySync() as number[][]]));
        const q = rows(query);
        const m = memory.arraySync() as number[][][];
        MASK.forEach((real, b) => {
          const row = w[b] as number[];
          real.forEach((r, s) => {
            if (r === 0) expect(row[s]).toBe(0);
          });
          expectClose(
            row.reduce((a, x) => a + x, 0),
            1,
            { rtol: 1e-6, atol: 1e-5 },
          );
          const scores = referenceScores(kind, p, q[b] as number[], m[b] as number[][]);
          const top = Math.max(...scores.filter((_, s) => real[s] === 1));
          const e = scores.map((z, s) => (real[s] === 1 ? Math.exp(z - top) : 0));
          const total = e.reduce((a, x) => a + x, 0);
          const expected = e.map((x) => x / total);
          expectClose(row, expected, { rtol: 1e-4, atol: 1e-6 });
          const ctx = (m[b] as number[][])[0]?.map((_, k) =>
            expected.reduce((a, x, s) => a + x * ((m[b] as number[][])[s]?.[k] as number), 0),
          );
          expectClose((rows(context)[b] as number[]) ?? [], ctx ?? [], { rtol: 1e-4, atol: 1e-5 });
        });
        tf.dispose([params, query, memory, mask, context, weights] as tf.TensorContainer);
      });

      it('should give a row without any real position zero weights and a zero context (no NaN)', () => {
        const params = layer.init(new Rng(3));
        const query = randomTensor<tf.Rank.R2>([2, SIZE], 21);
        const memory = randomTensor<tf.Rank.R3>([2, SOURCE, SIZE], 22);
        const mask = tf.tensor2d([MASK[1] as number[], [0, 0, 0, 0, 0]], [2, SOURCE], 'bool');
        const { context, weights } = layer.apply(params, query, memory, { mask });
        expect(rows(weights)[1]).toEqual([0, 0, 0, 0, 0]);
        expect(rows(context)[1]).toEqual([0, 0, 0]);
        expectClose(
          (rows(weights)[0] as number[]).reduce((a, x) => a + x, 0),
          1,
          { atol: 1e-5 },
        );
        tf.dispose([params, query, memory, mask, context, weights] as tf.TensorContainer);
      });

      it('should give with precomputed keys what it computes without them', () => {
        const params = layer.init(new Rng(4));
        const query = randomTensor<tf.Rank.R2>([BATCH, SIZE], 31);
        const memory = randomTensor<tf.Rank.R3>([BATCH, SOURCE, SIZE], 32);
        const keys = layer.keys(params, memory);
        expect(keys.shape).toEqual([BATCH, SOURCE, layer.keySize]);
        const a = layer.apply(params, query, memory);
        const b = layer.apply(params, query, memory, { keys });
        expectClose(b.context, a.context, { rtol: 1e-6, atol: 1e-6 });
        expectClose(b.weights, a.weights, { rtol: 1e-6, atol: 1e-6 });
        tf.dispose([params, query, memory, keys, a, b] as tf.TensorContainer);
      });

      it('should have the gradients of finite differences for query, memory and every weight', () => {
        const params = layer.init(new Rng(5));
        const names = Object.keys(params);
        const mask = tf.tensor2d(MASK.slice(1, 3), [2, SOURCE], 'float32');
        const probe1 = randomTensor([2, SIZE], 41);
        const probe2 = randomTensor([2, SOURCE], 42);
        const inputs = [
          randomTensor([2, SIZE], 43),
          randomTensor([2, SOURCE, SIZE], 44),
          ...names.map((n) => tf.clone(params[n] as tf.Tensor)),
        ];
        const loss = (...xs: tf.Tensor[]) => {
          const p: AttentionParams = Object.fromEntries(names.map((n, i) => [n, xs[i + 2] as tf.Tensor]));
          const { context, weights } = layer.apply(p, xs[0] as tf.Tensor2D, xs[1] as tf.Tensor3D, { mask });
          return tf.add(tf.sum(tf.mul(context, probe1)), tf.sum(tf.mul(weights, probe2))) as tf.Scalar;
        };
        const grads = tf.tidy(() => tf.grads(loss)(inputs));
        const value = (xs: tf.Tensor[]) => tf.tidy(() => loss(...xs).dataSync()[0] as number);
        const eps = 1e-2;
        inputs.forEach((input, i) => {
          const flat = input.dataSync().slice();
          const g = (grads[i] as tf.Tensor).dataSync();
          for (let index = 0; index < flat.length; index += Math.max(1, Math.floor(flat.length / 5))) {
            const at = (delta: number) => {
              const moved = flat.slice();
              moved[index] = (moved[index] as number) + delta;
              const t = tf.tensor(moved, input.shape);
              const v = value(inputs.map((x, k) => (k === i ? t : x)));
              t.dispose();
              return v;
            };
            expectClose(g[index] as number, (at(eps) - at(-eps)) / (2 * eps), { rtol: 2e-2, atol: 2e-3 });
          }
        });
        tf.dispose([params, mask, probe1, probe2, ...inputs, ...grads] as tf.TensorContainer);
      });
    });
  });

  describe('attention(config)', () => {
    it('should refuse an unknown kind, naming it and the known ones', () => {
      expectRecurError(
        () => attention({ kind: 'cosine' as AttentionKind, querySize: 2, memorySize: 2 }),
        'BAD_CONFIG',
        ['attention config.kind', "'additive', 'dot', 'general'", "'cosine'"],
      );
    });

    it("should refuse 'dot' between different sizes and units outside 'additive'", () => {
      expectRecurError(() => attention({ kind: 'dot', querySize: 4, memorySize: 6 }), 'BAD_CONFIG', [
        'attention config.memorySize',
        '4',
        'received 6',
      ]);
      expectRecurError(() => attention({ kind: 'general', querySize: 4, memorySize: 6, units: 3 }), 'BAD_CONFIG', [
        'attention config.units',
        'received 3',
      ]);
    });
  });

  describe('apply (bad input)', () => {
    const layer = attention({ kind: 'additive', querySize: 2, memorySize: 3, units: 4 });
    it('should name the argument, the expected and the received shape before any tfjs op', () => {
      const params = layer.init(new Rng(1));
      const query = tf.zeros([2, 2]) as tf.Tensor2D;
      const memory = tf.zeros([2, 5, 3]) as tf.Tensor3D;
      const bad = {
        mask: tf.zeros([2, 4]) as tf.Tensor2D,
        query: tf.zeros([3, 2]) as tf.Tensor2D,
        memory: tf.zeros([2, 5]) as unknown as tf.Tensor3D,
        keys: tf.zeros([2, 5, 3]) as tf.Tensor3D,
      };
      expectRecurError(() => layer.apply(params, query, memory, { mask: bad.mask }), 'SHAPE_MISMATCH', [
        'options.mask',
        '[2, 5]',
        '[2, 4]',
      ]);
      expectRecurError(() => layer.apply(params, bad.query, memory), 'SHAPE_MISMATCH', ['query', '[2, 2]', '[3, 2]']);
      expectRecurError(() => layer.apply(params, query, bad.memory), 'SHAPE_MISMATCH', [
        'memory',
        '[batch, source, 3]',
        '[2, 5]',
      ]);
      expectRecurError(() => layer.apply(params, query, memory, { keys: bad.keys }), 'SHAPE_MISMATCH', [
        'options.keys',
        '[2, 5, 4]',
        '[2, 5, 3]',
      ]);
      const { v: _v, ...missing } = params;
      expectRecurError(() => layer.apply(missing, query, memory), 'SHAPE_MISMATCH', ['params.v', '[4]', 'undefined']);
      tf.dispose([params, query, memory, bad] as tf.TensorContainer);
    });
  });
});
