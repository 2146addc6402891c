import { gru, lstm } from '@recur/cells';
import { Rng } from '@recur/core';
import { checkLeaks, describeBackends } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  bidirectional,
  dense,
  dropout,
  embedding,
  fromKerasWeights,
  recurrent,
  regularizedCell,
  stacked,
  timeDistributed,
  toKerasWeights,
} from '../src/index.js';
import { expectRecurError } from './helpers/errors.js';

const cell = () => lstm({ inputSize: 3, units: 4 });

describeBackends('bad input to feed-forward layers, wrappers and weights', () => {
  checkLeaks();

  describe('dense, embedding, timeDistributed, dropout', () => {
    it('should name the dense input and its expected last axis', () => {
      const layer = dense({ inputSize: 3, units: 2 });
      const params = layer.init(new Rng(1));
      const x = tf.zeros([4, 5]);
      expectRecurError(() => layer.apply(params, x), 'SHAPE_MISMATCH', ['input', '[..., 3]', '[4, 5]']);
      const scalarish = tf.zeros([3]);
      expectRecurError(() => layer.apply(params, scalarish), 'SHAPE_MISMATCH', ['input', 'rank 2', '[3]']);
      tf.dispose([params, x, scalarish]);
    });

    it('should name dense params of the wrong shape', () => {
      const layer = dense({ inputSize: 3, units: 2 });
      const kernel = tf.zeros([2, 3]) as tf.Tensor2D;
      const x = tf.zeros([4, 3]);
      expectRecurError(() => layer.apply({ kernel }, x), 'SHAPE_MISMATCH', ['params.kernel', '[3, 2]', '[2, 3]']);
      tf.dispose([kernel, x]);
    });

    it('should refuse float ids, a mask of the wrong shape and a padding id outside the vocabulary', () => {
      const layer = embedding({ vocabSize: 10, dim: 4, paddingId: 0 });
      const params = layer.init(new Rng(1));
      const floats = tf.zeros([2, 5]);
      expectRecurError(() => layer.apply(params, floats), 'SHAPE_MISMATCH', ['input', 'int32', 'float32']);
      const ids = tf.zeros([2, 5], 'int32');
      const mask = tf.ones([5, 2]) as tf.Tensor2D;
      expectRecurError(() => layer.apply(params, ids, { mask }), 'SHAPE_MISMATCH', [
        'options.mask',
        '[2, 5]',
        '[5, 2]',
      ]);
      expectRecurError(() => embedding({ vocabSize: 10, dim: 4, paddingId: 10 }), 'BAD_CONFIG', [
        'paddingId',
        '[0, 10)',
        '10',
      ]);
      tf.dispose([params, floats, ids, mask]);
    });

    it('should name a timeDistributed input without a time axis', () => {
      const layer = timeDistributed(dense({ inputSize: 3, units: 2 }));
      const params = layer.init(new Rng(1));
      const x = tf.zeros([4, 3]);
      expectRecurError(() => layer.apply(params, x), 'SHAPE_MISMATCH', ['input', '[batch, time, ...]', '[4, 3]']);
      const wide = tf.zeros([4, 2, 5]);
      expectRecurError(() => layer.apply(params, wide), 'SHAPE_MISMATCH', ['input (each step)', '[..., 3]', '[8, 5]']);
      tf.dispose([params, x, wide]);
    });

    it('should refuse a dropout rate outside [0, 1) and training without an rng', () => {
      expectRecurError(() => dropout(-0.1), 'BAD_CONFIG', ['dropout rate', '[0, 1)', '-0.1']);
      const x = tf.ones([2, 3]);
      expectRecurError(() => dropout(0.5).apply({}, x, { training: true }), 'BAD_CONFIG', ['options.rng']);
      x.dispose();
    });
  });

  describe('regularizedCell and init', () => {
    it('should refuse a zero batch, a rate of 1 and training with a rate but no rng', () => {
      expectRecurError(() => regularizedCell(cell(), { batch: 0 }), 'BAD_CONFIG', [
        'options.batch',
        'positive integer',
        '0',
      ]);
      expectRecurError(() => regularizedCell(cell(), { batch: 2, zoneout: 1 }), 'BAD_CONFIG', [
        'options.zoneout',
        '[0, 1)',
      ]);
      expectRecurError(
        () => regularizedCell(cell(), { batch: 2, recurrentDropout: 0.5, training: true }),
        'BAD_CONFIG',
        ['options.rng'],
      );
    });

    it('should ask every init for an Rng', () => {
      const notRng = 42 as never;
      expectRecurError(() => recurrent(cell()).init(notRng), 'BAD_CONFIG', ['recurrent init rng', 'Rng', '42']);
      expectRecurError(() => stacked([dense({ inputSize: 2, units: 2 })]).init(notRng), 'BAD_CONFIG', [
        'stacked init rng',
      ]);
      expectRecurError(() => dense({ inputSize: 2, units: 2 }).init(notRng), 'BAD_CONFIG', ['dense init rng']);
    });

    it('should name a missing or non-positive size in a config', () => {
      expectRecurError(() => dense({ inputSize: 2 } as never), 'BAD_CONFIG', [
        'dense config.units',
        'positive integer',
        'undefined',
      ]);
      expectRecurError(() => embedding({ vocabSize: 0, dim: 2 }), 'BAD_CONFIG', ['embedding config.vocabSize', '0']);
    });
  });

  describe('fromKerasWeights', () => {
    it('should name the weight with its expected and received shapes, changing nothing', () => {
      const layer = recurrent(cell());
      const weights = [tf.zeros([3, 16]), tf.zeros([4, 12]), tf.zeros([16])];
      expectRecurError(() => fromKerasWeights(layer, weights), 'SHAPE_MISMATCH', [
        'weights[1] (recurrent_kernel)',
        '[4, 16]',
        '[4, 12]',
      ]);
      expect(weights.every((w) => !w.isDisposed)).toBe(true);
      tf.dispose(weights);
    });

    it('should name the count of weights expected and received', () => {
      const weights = [tf.zeros([3, 16]), tf.zeros([4, 16])];
      expectRecurError(() => fromKerasWeights(recurrent(cell()), weights), 'SHAPE_MISMATCH', [
        'weights',
        '3 tensors (kernel, recurrent_kernel, bias)',
        '2 tensors',
      ]);
      tf.dispose(weights);
    });

    it('should name the direction of a wrong Bidirectional weight', () => {
      const layer = bidirectional(recurrent(gru({ inputSize: 3, units: 2, resetAfter: true })));
      const weights = [
        tf.zeros([3, 6]),
        tf.zeros([2, 6]),
        tf.zeros([2, 6]),
        tf.zeros([3, 6]),
        tf.zeros([2, 6]),
        tf.zeros([6]),
      ];
      expectRecurError(() => fromKerasWeights(layer, weights), 'SHAPE_MISMATCH', [
        'weights[5] (backward/bias)',
        '[2, 6]',
        '[6]',
      ]);
      tf.dispose(weights);
    });

    it('should say a cell without a Keras layer has no Keras layout', () => {
      const layer = recurrent(lstm({ inputSize: 3, units: 4, peephole: true }));
      expectRecurError(() => fromKerasWeights(layer, []), 'NOT_SUPPORTED', ['peephole']);
    });
  });

  describe('toKerasWeights', () => {
    it('should name a missing or misshapen parameter', () => {
      const layer = recurrent(cell());
      const kernel = tf.zeros([3, 16]);
      expectRecurError(() => toKerasWeights(layer, { kernel } as never), 'SHAPE_MISMATCH', [
        'params.recurrentKernel',
        '[4, 16]',
        'undefined',
      ]);
      kernel.dispose();
    });
  });
});
