import { gru, lstm } from '@recur/cells';
import { Rng } from '@recur/core';
import { checkLeaks, describeBackends } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, it } from 'vitest';
import { bidirectional, dense, type MergeMode, recurrent, stacked } from '../src/index.js';
import { expectRecurError } from './helpers/errors.js';

const cell = () => lstm({ inputSize: 3, units: 4 });

/** Runs `body` with fresh params and tensors, disposing them after. */
function withTensors(body: (t: { x: tf.Tensor3D; params: ReturnType<ReturnType<typeof cell>['init']> }) => void) {
  const x = tf.zeros([2, 5, 3]) as tf.Tensor3D;
  const params = cell().init(new Rng(1));
  try {
    body({ x, params });
  } finally {
    tf.dispose([x, params]);
  }
}

describeBackends('bad input to sequence layers', () => {
  checkLeaks();

  describe('recurrent', () => {
    describe('apply', () => {
      it('should name the input with the expected [batch, time, features] shape for a wrong rank', () => {
        withTensors(({ params }) => {
          const flat = tf.zeros([2, 3]);
          expectRecurError(() => recurrent(cell()).apply(params, flat as tf.Tensor3D), 'SHAPE_MISMATCH', [
            'input',
            '[batch, time, 3]',
            '[2, 3]',
          ]);
          flat.dispose();
        });
      });

      it('should name the input when its feature size is not the cell input size', () => {
        withTensors(({ params }) => {
          const wide = tf.zeros([2, 5, 4]) as tf.Tensor3D;
          expectRecurError(() => recurrent(cell()).apply(params, wide), 'SHAPE_MISMATCH', [
            'input',
            '[batch, time, 3]',
            '[2, 5, 4]',
          ]);
          wide.dispose();
        });
      });

      it('should refuse a non-float input', () => {
        withTensors(({ params }) => {
          const ints = tf.zeros([2, 5, 3], 'int32') as tf.Tensor3D;
          expectRecurError(() => recurrent(cell()).apply(params, ints), 'SHAPE_MISMATCH', [
            'input',
            'float32',
            'int32',
          ]);
          ints.dispose();
        });
      });

      it('should name options.mask with the expected [batch, time] and the received shape', () => {
        withTensors(({ x, params }) => {
          const mask = tf.ones([2, 4]) as tf.Tensor2D;
          expectRecurError(() => recurrent(cell()).apply(params, x, { mask }), 'SHAPE_MISMATCH', [
            'options.mask',
            '[2, 5]',
            '[2, 4]',
          ]);
          mask.dispose();
        });
      });

      it('should name the initial state field with the expected and received shapes', () => {
        withTensors(({ x, params }) => {
          const state = { h: tf.zeros([2, 4]) as tf.Tensor2D, c: tf.zeros([2, 5]) as tf.Tensor2D };
          expectRecurError(() => recurrent(cell()).apply(params, x, { initialState: state }), 'SHAPE_MISMATCH', [
            'options.initialState.c',
            '[2, 4]',
            '[2, 5]',
          ]);
          tf.dispose(state);
        });
      });

      it('should ask for an rng when training with dropout', () => {
        withTensors(({ x, params }) => {
          expectRecurError(
            () => recurrent(cell(), { dropout: 0.5 }).apply(params, x, { training: true }),
            'BAD_CONFIG',
            ['options.rng', 'Rng'],
          );
        });
      });

      it('should name a parameter of the wrong shape', () => {
        withTensors(({ x, params }) => {
          const bad = { ...params, recurrentKernel: tf.zeros([4, 12]) as tf.Tensor2D };
          expectRecurError(() => recurrent(cell()).apply(bad, x), 'SHAPE_MISMATCH', [
            'params.recurrentKernel',
            '[4, 16]',
            '[4, 12]',
          ]);
          bad.recurrentKernel.dispose();
        });
      });

      it('should refuse an unknown apply option', () => {
        withTensors(({ x, params }) => {
          const bad = { trainin: true } as never;
          expectRecurError(() => recurrent(cell()).apply(params, x, bad), 'BAD_CONFIG', ['options.trainin']);
        });
      });
    });

    it('should refuse misspelt options, rates outside [0, 1) and unknown masked outputs at construction', () => {
      expectRecurError(() => recurrent(cell(), { returnSequence: true } as never), 'BAD_CONFIG', [
        'options.returnSequence',
      ]);
      expectRecurError(() => recurrent(cell(), { recurrentDropout: 1 }), 'BAD_CONFIG', [
        'options.recurrentDropout',
        '[0, 1)',
        '1',
      ]);
      expectRecurError(() => recurrent(cell(), { maskedOutput: 'last' as never }), 'BAD_CONFIG', [
        'options.maskedOutput',
        "'last'",
      ]);
    });

    it('should refuse a zero batch in zeroState', () => {
      expectRecurError(() => recurrent(cell()).zeroState(0), 'BAD_CONFIG', ['batch', 'positive integer', '0']);
    });
  });

  describe('bidirectional', () => {
    it('should name an unknown merge mode and list the known ones', () => {
      expectRecurError(() => bidirectional(recurrent(cell()), { merge: 'max' as MergeMode }), 'BAD_CONFIG', [
        'options.merge',
        "'concat', 'sum', 'ave', 'mul', 'none'",
        "'max'",
      ]);
    });

    it('should refuse a layer that is not recurrent', () => {
      expectRecurError(() => bidirectional(dense({ inputSize: 3, units: 2 }) as never), 'BAD_CONFIG', [
        'layer',
        'recurrent',
      ]);
    });

    it('should name the direction of a wrong initial state', () => {
      withTensors(({ x, params }) => {
        const layer = bidirectional(recurrent(cell()));
        const good = { h: tf.zeros([2, 4]) as tf.Tensor2D, c: tf.zeros([2, 4]) as tf.Tensor2D };
        const bad = { h: tf.zeros([3, 4]) as tf.Tensor2D, c: tf.zeros([2, 4]) as tf.Tensor2D };
        expectRecurError(
          () =>
            layer.apply({ forward: params, backward: params }, x, { initialState: { forward: good, backward: bad } }),
          'SHAPE_MISMATCH',
          ['options.initialState.backward.h', '[2, 4]', '[3, 4]'],
        );
        expectRecurError(
          () => layer.apply({ forward: params, backward: params }, x, { initialState: { forward: good } as never }),
          'SHAPE_MISMATCH',
          ['options.initialState', '{ forward, backward }'],
        );
        tf.dispose([good, bad]);
      });
    });

    it('should name the direction of a parameter of the wrong shape', () => {
      withTensors(({ x, params }) => {
        const bias = tf.zeros([12]) as tf.Tensor1D;
        expectRecurError(
          () => bidirectional(recurrent(cell())).apply({ forward: params, backward: { ...params, bias } }, x),
          'SHAPE_MISMATCH',
          ['params.backward.bias', '[16]', '[12]'],
        );
        bias.dispose();
      });
    });

    it('should name the input for a wrong feature size', () => {
      withTensors(({ params }) => {
        const wide = tf.zeros([2, 5, 7]) as tf.Tensor3D;
        expectRecurError(
          () => bidirectional(recurrent(cell())).apply({ forward: params, backward: params }, wide),
          'SHAPE_MISMATCH',
          ['input', '[batch, time, 3]', '[2, 5, 7]'],
        );
        wide.dispose();
      });
    });
  });

  describe('stacked', () => {
    it('should name the layer whose input size does not follow from the previous output', () => {
      expectRecurError(
        () => stacked([recurrent(cell(), { returnSequences: true }), recurrent(gru({ inputSize: 5, units: 2 }))]),
        'BAD_CONFIG',
        ['layers[1].inputSize', '4', '5'],
      );
    });

    it("should refuse an empty stack and merge 'none' before the last layer", () => {
      expectRecurError(() => stacked([]), 'BAD_CONFIG', ['layers', 'non-empty']);
      const pair = bidirectional(recurrent(cell(), { returnSequences: true }), { merge: 'none' });
      expectRecurError(() => stacked([pair, dense({ inputSize: 4, units: 1 })]), 'BAD_CONFIG', ['layers[0]', "'none'"]);
    });

    it('should check every layer before running any: a rank error in layer 1 is raised with no op run', () => {
      withTensors(({ x, params }) => {
        const model = stacked([recurrent(cell()), recurrent(gru({ inputSize: 4, units: 2 }))]);
        const p2 = gru({ inputSize: 4, units: 2 }).init(new Rng(2));
        expectRecurError(() => model.apply([params, p2], x), 'SHAPE_MISMATCH', [
          'layers[1]',
          'output of layers[0]',
          '[batch, time, 4]',
          '[2, 4]',
        ]);
        tf.dispose(p2);
      });
    });

    it('should name a wrong number of initial states', () => {
      withTensors(({ x, params }) => {
        const model = stacked([recurrent(cell())]);
        expectRecurError(() => model.apply([params], x, { initialState: [] as never }), 'SHAPE_MISMATCH', [
          'options.initialState',
          'an array of 1 states',
        ]);
      });
    });
  });
});
