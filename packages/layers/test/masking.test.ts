import { gru, lstm } from '@recur/cells';
import { Rng } from '@recur/core';
import { checkLeaks, describeBackends, expectClose } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { bidirectional, embedding, fromKerasWeights, recurrent, stacked } from '../src/index.js';
import { maskFromRanges, oracleRnn, randomTensor } from './helpers/oracle.js';

const values = (t: tf.Tensor) => Array.from(t.dataSync());

describeBackends('masking', () => {
  checkLeaks();

  describe('embedding → recurrent → recurrent', () => {
    it('should match tfjs-layers with Embedding(maskZero) feeding its mask to LSTM and GRU, gradients included', () => {
      const ids = tf.tensor2d(
        [
          [3, 1, 4, 1, 5],
          [9, 2, 6, 0, 0],
          [0, 0, 5, 3, 5],
          [8, 0, 9, 7, 0],
        ],
        [4, 5],
        'int32',
      );
      const oEmbedding = tfl.layers.embedding({ inputDim: 10, outputDim: 3, maskZero: true });
      const oLstm = oracleRnn('lstm', { units: 4, returnSequences: true });
      const oGru = oracleRnn('gru', { units: 2 });
      const oracle = (embeddings: tf.Tensor) => {
        const mask = oEmbedding.computeMask(ids) as tf.Tensor;
        return oGru.apply(oLstm.apply(embeddings, { mask }) as tf.Tensor, { mask }) as tf.Tensor;
      };
      tf.tidy(() => {
        oracle(oEmbedding.apply(ids) as tf.Tensor);
      });
      const model = stacked([
        embedding({ vocabSize: 10, dim: 3, paddingId: 0 }),
        recurrent(lstm({ inputSize: 3, units: 4 }), { returnSequences: true, maskedOutput: 'previous' }),
        recurrent(gru({ inputSize: 4, units: 2, resetAfter: false }), { maskedOutput: 'previous' }),
      ]);
      const weights = [...oEmbedding.getWeights(), ...oLstm.getWeights(), ...oGru.getWeights()];
      tf.tidy(() => {
        const ours = (ws: tf.Tensor[]) => model.apply(fromKerasWeights(model, ws), ids).output;
        const embedded = oEmbedding.apply(ids) as tf.Tensor;
        expectClose(ours(weights), oracle(embedded), { rtol: 1e-5, atol: 1e-5 });
        // The oracle's table gradient goes through tfjs' gather gradient, which needs
        // UnsortedSegmentSum (absent on wasm): scatter its gradient at the embedded
        // sequences back onto the table rows by hand instead.
        const [dEmbedded] = tf.grads((e: tf.Tensor) => tf.sum(oracle(e)))([embedded]);
        const dTable = new Float32Array(10 * 3);
        const flatIds = ids.dataSync();
        const dE = (dEmbedded as tf.Tensor).dataSync();
        flatIds.forEach((id, n) => {
          for (let d = 0; d < 3; d++) dTable[id * 3 + d] = (dTable[id * 3 + d] as number) + (dE[n * 3 + d] as number);
        });
        const variables = [oLstm, oGru].flatMap((l) => l.trainableWeights.map((w) => w.read() as tf.Variable));
        const { grads } = tf.variableGrads(() => tf.sum(oracle(embedded)), variables);
        const mine = tf.grads((...ws: tf.Tensor[]) => tf.sum(ours(ws)))(weights);
        [tf.tensor2d(dTable, [10, 3]), ...variables.map((v) => grads[v.name] as tf.Tensor)].forEach((g, i) => {
          expectClose(mine[i] as tf.Tensor, g, { rtol: 1e-4, atol: 1e-4 });
        });
      });
      ids.dispose();
      for (const l of [oEmbedding, oLstm, oGru]) l.dispose();
    });
  });

  describe('recurrent', () => {
    it("should emit zeros at padded steps with maskedOutput 'zeros' and the output mask with its sequences", () => {
      const layer = recurrent(lstm({ inputSize: 3, units: 4 }), { returnSequences: true, maskedOutput: 'zeros' });
      const last = recurrent(lstm({ inputSize: 3, units: 4 }), { maskedOutput: 'zeros' });
      const params = layer.cell.init(new Rng(1));
      const x = randomTensor<tf.Rank.R3>([3, 5, 3], 2);
      const mask = maskFromRanges(
        [
          [0, 5],
          [1, 3],
          [0, 0],
        ],
        5,
      );
      tf.tidy(() => {
        const out = layer.apply(params, x, { mask });
        const padded = tf.mul(out.output, tf.expandDims(tf.sub(1, mask), 2));
        expect(values(padded).every((v) => v === 0)).toBe(true);
        expect(values(tf.sum(tf.abs(out.output), 2)).filter((v) => v !== 0).length).toBe(7);
        expect(values(out.mask as tf.Tensor)).toEqual(values(mask));
        expect(last.apply(params, x, { mask }).mask).toBeUndefined();
      });
      tf.dispose([params, x, mask]);
    });
  });

  describe('bidirectional', () => {
    it("should default to Keras' zeros at padded steps, the real steps being tfjs-layers' ('previous')", () => {
      const inner = recurrent(lstm({ inputSize: 3, units: 4 }), { returnSequences: true });
      const keras = bidirectional(inner);
      const tfjs = bidirectional(inner, { maskedOutput: 'previous' });
      const params = keras.init(new Rng(3));
      const x = randomTensor<tf.Rank.R3>([3, 6, 3], 4);
      const mask = maskFromRanges(
        [
          [0, 6],
          [0, 4],
          [2, 5],
        ],
        6,
      );
      tf.tidy(() => {
        const zeros = keras.apply(params, x, { mask }).output;
        const previous = tfjs.apply(params, x, { mask }).output;
        const real = tf.expandDims(mask, 2);
        expect(values(tf.mul(zeros, tf.sub(1, real))).every((v) => v === 0)).toBe(true);
        expectClose(tf.mul(zeros, real), tf.mul(previous, real), { rtol: 0, atol: 1e-7 });
        expect(values(tf.mul(previous, tf.sub(1, real))).some((v) => v !== 0)).toBe(true);
      });
      tf.dispose([params as never, x, mask]);
    });
  });
});
