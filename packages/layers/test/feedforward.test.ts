import { Rng } from '@recur/core';
import { checkLeaks, describeBackends, expectClose } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { dense, dropout, embedding, fromKerasWeights, stacked, timeDistributed } from '../src/index.js';
import { randomTensor } from './helpers/oracle.js';

const FORWARD = { rtol: 1e-5, atol: 1e-5 };
const BACKWARD = { rtol: 1e-4, atol: 1e-4 };

describeBackends('feed-forward layers', () => {
  checkLeaks();

  describe('dense', () => {
    it.each([
      [[7, 5], 'relu'],
      [[3, 4, 5], 'tanh'],
    ] as const)('should match tfjs-layers Dense on %j inputs with %s, gradients included', (shape, activation) => {
      const oracle = tfl.layers.dense({ units: 3, activation, biasInitializer: 'randomNormal' });
      const x = randomTensor([...shape], 1);
      tf.dispose(oracle.apply(x) as tf.Tensor);
      const layer = dense({ inputSize: 5, units: 3, activation });
      const weights = oracle.getWeights();
      tf.tidy(() => {
        const params = fromKerasWeights(layer, weights);
        expectClose(layer.apply(params, x).output, oracle.apply(x) as tf.Tensor, FORWARD);
        const r = randomTensor([...shape.slice(0, -1), 3], 2);
        const theirs = tf.grads((a: tf.Tensor) => tf.sum(tf.mul(oracle.apply(a) as tf.Tensor, r)))([x]);
        const variables = oracle.trainableWeights.map((w) => w.read() as tf.Variable);
        const { grads } = tf.variableGrads(() => tf.sum(tf.mul(oracle.apply(x) as tf.Tensor, r)), variables);
        const ours = tf.grads((a: tf.Tensor, k: tf.Tensor, b: tf.Tensor) =>
          tf.sum(tf.mul(layer.apply({ kernel: k as tf.Tensor2D, bias: b as tf.Tensor1D }, a).output, r)),
        )([x, ...weights]);
        [...theirs, ...variables.map((v) => grads[v.name] as tf.Tensor)].forEach((g, i) => {
          expectClose(ours[i] as tf.Tensor, g, BACKWARD);
        });
      });
      x.dispose();
      oracle.dispose();
    });
  });

  describe('embedding', () => {
    it('should look ids up as tfjs-layers Embedding does and mask the padding id as its maskZero', () => {
      const oracle = tfl.layers.embedding({ inputDim: 6, outputDim: 3, maskZero: true });
      const ids = tf.tensor2d(
        [
          [1, 2, 0, 0],
          [5, 0, 3, 4],
        ],
        [2, 4],
        'int32',
      );
      tf.dispose(oracle.apply(ids) as tf.Tensor);
      const layer = embedding({ vocabSize: 6, dim: 3, paddingId: 0 });
      tf.tidy(() => {
        const params = fromKerasWeights(layer, oracle.getWeights());
        const { output, mask } = layer.apply(params, ids);
        expectClose(output, oracle.apply(ids) as tf.Tensor, FORWARD);
        expect(values(mask as tf.Tensor)).toEqual(values(tf.cast(oracle.computeMask(ids) as tf.Tensor, 'float32')));
        expect(mask?.dtype).toBe('float32');
      });
      ids.dispose();
      oracle.dispose();
    });

    it('should make no mask without a padding id and combine a given mask with its own', () => {
      const ids = tf.tensor2d([[1, 2, 0]], [1, 3], 'int32');
      const given = tf.tensor2d([[1, 0, 1]], [1, 3]);
      const plain = embedding({ vocabSize: 3, dim: 2 });
      const padded = embedding({ vocabSize: 3, dim: 2, paddingId: 0 });
      const params = plain.init(new Rng(1));
      tf.tidy(() => {
        expect(plain.apply(params, ids).mask).toBeUndefined();
        expect(values(padded.apply(params, ids, { mask: given }).mask as tf.Tensor)).toEqual([1, 0, 0]);
      });
      tf.dispose([ids, given, params]);
    });
  });

  describe('timeDistributed', () => {
    it('should match tfjs-layers TimeDistributed(Dense) and pass the mask on', () => {
      const oracle = tfl.layers.timeDistributed({
        layer: tfl.layers.dense({ units: 2, biasInitializer: 'randomNormal' }),
      });
      const x = randomTensor([3, 4, 5], 3);
      const mask = tf.tensor2d(
        [
          [1, 1, 0, 0],
          [1, 1, 1, 1],
          [1, 0, 0, 0],
        ],
        [3, 4],
      );
      tf.dispose(oracle.apply(x) as tf.Tensor);
      const layer = timeDistributed(dense({ inputSize: 5, units: 2 }));
      tf.tidy(() => {
        const params = fromKerasWeights(layer, oracle.getWeights());
        const out = layer.apply(params, x, { mask });
        expect(out.output.shape).toEqual([3, 4, 2]);
        expectClose(out.output, oracle.apply(x) as tf.Tensor, FORWARD);
        expect(values(out.mask as tf.Tensor)).toEqual(values(mask));
      });
      tf.dispose([x, mask]);
      oracle.dispose();
    });
  });

  describe('stacked', () => {
    it('should apply its layers in turn, as the same layers applied one by one', () => {
      const layers = [
        dense({ inputSize: 5, units: 4, activation: 'relu' }),
        dropout(0.5),
        dense({ inputSize: 4, units: 2 }),
      ] as const;
      const model = stacked(layers);
      expect([model.inputSize, model.outputSize]).toEqual([5, 2]);
      const params = model.init(new Rng(4));
      const x = randomTensor([6, 5], 5);
      tf.tidy(() => {
        const one = layers[0].apply(params[0], x).output;
        const expected = layers[2].apply(params[2], layers[1].apply(params[1], one).output).output;
        expect(values(model.apply(params, x).output)).toEqual(values(expected));
      });
      tf.dispose([params as never, x]);
    });
  });
});

function values(t: tf.Tensor): number[] {
  return Array.from(t.dataSync());
}
