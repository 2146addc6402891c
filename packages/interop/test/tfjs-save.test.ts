import { elman, gru, lstm } from '@recur/cells';
import { Rng } from '@recur/core';
import { bidirectional, dense, dropout, embedding, recurrent, stacked, timeDistributed } from '@recur/layers';
import { checkLeaks, describeBackends, expectClose } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { activationLayer, fromTfjsModel, masking, toTfjsModel } from '../src/index.js';
import { readTfjsFolder, writeTfjsFolder } from '../src/node.js';
import { loadInTfjs, randn, tempDir } from './helpers/tfjs.js';

const TOL = { rtol: 1e-5, atol: 1e-5 };
const g = { recurrentInitializer: 'glorotUniform', biasInitializer: 'glorotUniform' } as const;

/** Recur models Keras can express, with an input for each (ids for an embedding). */
const MODELS = [
  [
    'Embedding(paddingId 0), LSTM, Dense',
    () =>
      stacked([
        embedding({ vocabSize: 9, dim: 4, paddingId: 0 }),
        recurrent(lstm({ inputSize: 4, units: 3, ...g })),
        dense({ inputSize: 3, units: 2, activation: 'sigmoid', biasInitializer: 'glorotUniform' }),
      ]),
    () =>
      tf.tensor2d(
        [
          [0, 2, 8, 1],
          [5, 4, 0, 0],
        ],
        undefined,
        'int32',
      ),
  ],
  [
    'Masking, Bidirectional(GRU reset-before), TimeDistributed(Dense), Dropout',
    () =>
      stacked([
        masking({ inputSize: 3 }),
        bidirectional(recurrent(gru({ inputSize: 3, units: 2, resetAfter: false, ...g }), { returnSequences: true }), {
          maskedOutput: 'previous',
        }),
        timeDistributed(dense({ inputSize: 4, units: 2, biasInitializer: 'glorotUniform' })),
        dropout(0.2),
      ]),
    () => tf.tidy(() => tf.concat([randn([2, 3, 3], 4), tf.zeros([2, 1, 3])], 1)),
  ],
  [
    'GRU, Dense, softmax activation layer',
    () =>
      stacked([
        recurrent(gru({ inputSize: 3, units: 4, resetAfter: false, ...g })),
        dense({ inputSize: 4, units: 5, biasInitializer: 'glorotUniform' }),
        activationLayer('softmax'),
      ]),
    () => randn([2, 5, 3], 6),
  ],
  [
    'SimpleRNN(relu, reverse), Bidirectional(LSTM, ave)',
    () =>
      stacked([
        recurrent(elman({ inputSize: 3, units: 4, activation: 'relu', ...g }), {
          returnSequences: true,
          reverse: true,
        }),
        bidirectional(recurrent(lstm({ inputSize: 4, units: 2, ...g })), { merge: 'ave' }),
      ]),
    () => randn([2, 5, 3], 5),
  ],
] as const;

describeBackends('toTfjsModel', () => {
  checkLeaks();

  describe.each(MODELS)('%s', (_name, build, makeInput) => {
    it('should save a folder tfjs-layers loads and predicts from as Recur does', async () => {
      const model = build();
      const params = model.init(new Rng(11));
      const dir = tempDir();
      await writeTfjsFolder(dir, toTfjsModel(model as never, params as never));
      const files = await readTfjsFolder(dir);
      const oracle = await loadInTfjs(files);
      const x = makeInput();
      const ours = model.apply(params as never, x as never);
      const xf = tf.cast(x, 'float32');
      const theirs = oracle.predict(xf) as tf.Tensor;
      expectClose(ours.output as tf.Tensor, theirs, TOL);
      tf.dispose([x, xf, ours as never, theirs, params as never]);
      oracle.dispose();
    });

    it('should round-trip Recur → tfjs → Recur exactly, weights and outputs', () => {
      const model = build();
      const params = model.init(new Rng(12));
      const back = fromTfjsModel(toTfjsModel(model as never, params as never));
      const x = makeInput();
      const before = model.apply(params as never, x as never);
      const after = back.model.apply(back.params, x);
      expect(Array.from(after.output.dataSync())).toEqual(Array.from((before.output as tf.Tensor).dataSync()));
      tf.dispose([x, before as never, after as never]);
      const a = tf.util.flatten(params as never) as unknown as tf.Tensor[];
      const b = tf.util.flatten(back.params as never) as unknown as tf.Tensor[];
      expect(b.map((t) => [t.shape, Array.from(t.dataSync())])).toEqual(
        a.map((t) => [t.shape, Array.from(t.dataSync())]),
      );
      expect(back.model.layers.map((l) => l.kind)).toEqual(model.layers.map((l) => l.kind));
      tf.dispose([params as never, back.params as never]);
    });
  });
});
