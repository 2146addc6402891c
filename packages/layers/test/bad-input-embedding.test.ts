import { MAX_WEIGHT_VALUES, Rng } from '@recur/core';
import { checkLeaks, describeBackends } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { dense, embedding } from '../src/index.js';
import { expectRecurError } from './helpers/errors.js';

describeBackends('embedding given ids outside its vocabulary', () => {
  checkLeaks();

  it('should name the first id outside [0, vocabSize) and its position, running no kernel', () => {
    const layer = embedding({ vocabSize: 10, dim: 3 });
    const params = layer.init(new Rng(1));
    const ids = tf.tensor2d(
      [
        [1, 2, 9],
        [12, -1, 3],
      ],
      [2, 3],
      'int32',
    );
    expectRecurError(() => layer.apply(params, ids), 'BAD_DATA', [
      'input: id 12 at position [1, 0] is outside the vocabulary [0, 10)',
      "outOfRange: 'clip'",
    ]);
    const negative = tf.tensor1d([0, 4, -3], 'int32');
    expectRecurError(() => layer.apply(params, negative), 'BAD_DATA', ['id -3 at position [2]']);
    tf.dispose([params, ids, negative]);
  });

  it('should clip ids to the vocabulary when asked, as if they had been clipped first', () => {
    const clipping = embedding({ vocabSize: 10, dim: 3, outOfRange: 'clip' });
    const plain = embedding({ vocabSize: 10, dim: 3 });
    const params = clipping.init(new Rng(2));
    const ids = tf.tensor2d(
      [
        [1, 12, 9],
        [-5, 0, 3],
      ],
      [2, 3],
      'int32',
    );
    const clipped = tf.tensor2d(
      [
        [1, 9, 9],
        [0, 0, 3],
      ],
      [2, 3],
      'int32',
    );
    const a = clipping.apply(params, ids).output;
    const b = plain.apply(params, clipped).output;
    expect(a.arraySync()).toEqual(b.arraySync());
    expect(clipping.config.outOfRange).toBe('clip');
    tf.dispose([params, ids, clipped, a, b]);
  });

  it('should accept every id of the vocabulary, the last one included', () => {
    const layer = embedding({ vocabSize: 4, dim: 2 });
    const params = layer.init(new Rng(3));
    const ids = tf.tensor2d([[0, 1, 2, 3]], [1, 4], 'int32');
    const out = layer.apply(params, ids).output;
    expect(out.shape).toEqual([1, 4, 2]);
    tf.dispose([params, ids, out]);
  });
});

describe('layer sizes past what can be allocated', () => {
  it('should refuse an unknown outOfRange policy', () => {
    expectRecurError(() => embedding({ vocabSize: 4, dim: 2, outOfRange: 'wrap' as never }), 'BAD_CONFIG', [
      'embedding config.outOfRange',
      "'error' or 'clip'",
      "'wrap'",
    ]);
  });

  it('should refuse an embedding or dense weight over the limit when configured, saying what it would cost', () => {
    expectRecurError(() => embedding({ vocabSize: 1e9, dim: 4 }), 'BAD_CONFIG', [
      'embedding config: expected vocabSize × dim of at most 268,435,456 weights (1 GiB of float32)',
      '[1000000000 × 4] = 4,000,000,000 weights (14.9 GiB)',
    ]);
    expectRecurError(() => dense({ inputSize: 100_000, units: 100_000 }), 'BAD_CONFIG', [
      'dense config: expected inputSize × units of at most',
      '(37.3 GiB)',
    ]);
  });

  it('should accept a weight of exactly the limit (configuring allocates nothing)', () => {
    expect(embedding({ vocabSize: MAX_WEIGHT_VALUES / 4, dim: 4 }).outputSize).toBe(4);
    expect(() => embedding({ vocabSize: MAX_WEIGHT_VALUES / 4 + 1, dim: 4 })).toThrow(/1 GiB/);
  });
});
