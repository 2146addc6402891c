import { elman, gru, lstm } from '@recur/cells';
import { Rng } from '@recur/core';
import { checkLeaks, describeBackends, expectClose } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import {
  bidirectional,
  dense,
  embedding,
  fromKerasWeights,
  type Layer,
  recurrent,
  stacked,
  timeDistributed,
  toKerasWeights,
} from '../src/index.js';
import { oracleRnn, randomTensor } from './helpers/oracle.js';

const [B, T, I, H] = [2, 3, 5, 4];

type AnyRecur = Layer<never, unknown, never, unknown>;

/** Pairs of a Recur layer and the tfjs-layers layer with the same weights layout. */
const PAIRS: readonly [string, () => AnyRecur, () => tfl.layers.Layer][] = [
  [
    'SimpleRNN',
    () => recurrent(elman({ inputSize: I, units: H })) as never,
    () => oracleRnn('simpleRNN', { units: H }),
  ],
  ['LSTM', () => recurrent(lstm({ inputSize: I, units: H })) as never, () => oracleRnn('lstm', { units: H })],
  [
    'GRU',
    () => recurrent(gru({ inputSize: I, units: H, resetAfter: false })) as never,
    () => oracleRnn('gru', { units: H }),
  ],
  [
    'Bidirectional(LSTM)',
    () => bidirectional(recurrent(lstm({ inputSize: I, units: H }))) as never,
    () => tfl.layers.bidirectional({ layer: oracleRnn('lstm', { units: H }) as tfl.RNN }),
  ],
  [
    'Dense',
    () => dense({ inputSize: I, units: H, activation: 'tanh' }) as never,
    () => tfl.layers.dense({ units: H, activation: 'tanh', biasInitializer: 'randomNormal' }),
  ],
];

describeBackends('Keras weight layout', () => {
  checkLeaks();

  describe.each(PAIRS)('%s', (_name, makeRecur, makeOracle) => {
    it('should list the weights in the order and shapes of tfjs-layers getWeights()', () => {
      const oracle = makeOracle();
      const x = randomTensor([B, T, I], 1);
      tf.dispose(oracle.apply(x) as tf.Tensor);
      const recur = makeRecur();
      const params = recur.init(new Rng(1));
      const ours = toKerasWeights(recur, params);
      expect(ours.map((w) => w.shape)).toEqual(oracle.getWeights().map((w) => w.shape));
      expect(recur.kerasWeightSpec().map((s) => s.shape)).toEqual(oracle.getWeights().map((w) => w.shape));
      tf.dispose([x, ours, params as tf.TensorContainer]);
      oracle.dispose();
    });

    it('should move Recur weights into tfjs-layers with setWeights, both then computing the same outputs', () => {
      const oracle = makeOracle();
      const x = randomTensor<tf.Rank.R3>([B, T, I], 2);
      tf.dispose(oracle.apply(x) as tf.Tensor);
      const recur = makeRecur();
      const params = recur.init(new Rng(2));
      const weights = toKerasWeights(recur, params);
      oracle.setWeights(weights);
      tf.tidy(() => {
        const theirs = oracle.apply(x) as tf.Tensor;
        const ours = recur.apply(params, x as never).output as tf.Tensor;
        expectClose(ours, theirs, { rtol: 1e-5, atol: 1e-5 });
      });
      tf.dispose([x, weights, params as tf.TensorContainer]);
      oracle.dispose();
    });
  });

  describe('fromKerasWeights', () => {
    it("should give back toKerasWeights' weights exactly, as copies the caller owns", () => {
      const layers: readonly AnyRecur[] = [
        recurrent(gru({ inputSize: I, units: H, resetAfter: true, biasInitializer: 'glorotUniform' })) as never,
        bidirectional(recurrent(elman({ inputSize: I, units: H, useBias: false }))) as never,
        stacked([
          embedding({ vocabSize: 7, dim: I }),
          recurrent(lstm({ inputSize: I, units: H }), { returnSequences: true }),
          timeDistributed(dense({ inputSize: H, units: 2 })),
        ]) as never,
      ];
      for (const layer of layers) {
        const params = layer.init(new Rng(3));
        const weights = toKerasWeights(layer, params);
        const back = fromKerasWeights(layer, weights);
        const again = toKerasWeights(layer, back);
        tf.dispose(weights);
        expect(again.map((w) => Array.from(w.dataSync()))).toEqual(
          layer.kerasWeightSpec().map((s) => {
            let node: unknown = params;
            for (const key of s.path) node = (node as Record<string | number, unknown>)[key];
            return Array.from((node as tf.Tensor).dataSync());
          }),
        );
        tf.dispose([params as tf.TensorContainer, back as tf.TensorContainer, again]);
      }
    });

    it('should lay out a reset-after GRU bias as Keras does, [2, 3·units]', () => {
      const spec = recurrent(gru({ inputSize: I, units: H })).kerasWeightSpec();
      expect(spec.map((s) => [s.name, s.shape])).toEqual([
        ['kernel', [I, 3 * H]],
        ['recurrent_kernel', [H, 3 * H]],
        ['bias', [2, 3 * H]],
      ]);
    });

    it('should list a stack as each layer’s weights in turn, an Embedding’s table first', () => {
      const model = stacked([
        embedding({ vocabSize: 7, dim: I }),
        recurrent(lstm({ inputSize: I, units: H }), { returnSequences: true }),
        recurrent(gru({ inputSize: H, units: 2, resetAfter: false })),
      ]);
      expect(model.kerasWeightSpec().map((s) => [s.name, s.shape])).toEqual([
        ['layers.0/embeddings', [7, I]],
        ['layers.1/kernel', [I, 4 * H]],
        ['layers.1/recurrent_kernel', [H, 4 * H]],
        ['layers.1/bias', [4 * H]],
        ['layers.2/kernel', [H, 6]],
        ['layers.2/recurrent_kernel', [2, 6]],
        ['layers.2/bias', [6]],
      ]);
    });
  });
});
