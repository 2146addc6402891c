import { elman, gru, lstm } from '@recur/cells';
import { RecurError, Rng } from '@recur/core';
import {
  type AnyLayer,
  bidirectional,
  dense,
  dropout,
  embedding,
  recurrent,
  stacked,
  timeDistributed,
} from '@recur/layers';
import { checkLeaks, describeBackends, expectClose } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { activationLayer, masking, toOnnx } from '../src/index.js';
import { randn } from './helpers/tfjs.js';

const TOL = { rtol: 1e-5, atol: 1e-5 };
const [B, T, I] = [2, 5, 3];
const bias = { biasInitializer: 'glorotUniform' } as const;

/** Models covering every exported layer and option, with their input. */
const CASES: readonly [string, () => AnyLayer, () => tf.Tensor][] = [
  [
    'Elman tanh, last output',
    () => recurrent(elman({ inputSize: I, units: 4, ...bias })) as never,
    () => randn([B, T, I], 1),
  ],
  [
    'Elman relu, reversed, sequences in processing order',
    () =>
      recurrent(elman({ inputSize: I, units: 4, activation: 'relu', ...bias }), {
        reverse: true,
        returnSequences: true,
      }) as never,
    () => randn([B, T, I], 2),
  ],
  [
    'Elman reversed, keepOrder, no bias',
    () =>
      recurrent(elman({ inputSize: I, units: 4, useBias: false }), {
        reverse: true,
        keepOrder: true,
        returnSequences: true,
      }) as never,
    () => randn([B, T, I], 3),
  ],
  [
    'LSTM sequences',
    () => recurrent(lstm({ inputSize: I, units: 4, ...bias }), { returnSequences: true }) as never,
    () => randn([B, T, I], 4),
  ],
  [
    'LSTM hardSigmoid gates, peepholes',
    () =>
      recurrent(lstm({ inputSize: I, units: 4, recurrentActivation: 'hardSigmoid', peephole: true, ...bias })) as never,
    () => randn([B, T, I], 5),
  ],
  [
    'GRU reset-after',
    () => recurrent(gru({ inputSize: I, units: 4, ...bias }), { returnSequences: true }) as never,
    () => randn([B, T, I], 6),
  ],
  [
    'GRU reset-before',
    () => recurrent(gru({ inputSize: I, units: 4, resetAfter: false, ...bias })) as never,
    () => randn([B, T, I], 7),
  ],
  [
    'stacked LSTM, LSTM, Dense(tanh)',
    () =>
      stacked([
        recurrent(lstm({ inputSize: I, units: 4, ...bias }), { returnSequences: true }),
        recurrent(lstm({ inputSize: 4, units: 3, ...bias })),
        dense({ inputSize: 3, units: 2, activation: 'tanh', ...bias }),
      ]) as never,
    () => randn([B, T, I], 8),
  ],
  [
    'bidirectional LSTM concat sequences, TimeDistributed(Dense), Dropout',
    () =>
      stacked([
        bidirectional(recurrent(lstm({ inputSize: I, units: 3, ...bias }), { returnSequences: true })),
        timeDistributed(dense({ inputSize: 6, units: 2, activation: 'sigmoid', ...bias })),
        dropout(0.5),
      ]) as never,
    () => randn([B, T, I], 9),
  ],
  [
    'bidirectional GRU sum, last output',
    () => bidirectional(recurrent(gru({ inputSize: I, units: 3, ...bias })), { merge: 'sum' }) as never,
    () => randn([B, T, I], 10),
  ],
  [
    'bidirectional Elman concat, last output',
    () => bidirectional(recurrent(elman({ inputSize: I, units: 3, ...bias }))) as never,
    () => randn([B, T, I], 11),
  ],
  [
    'bidirectional GRU ave / mul sequences',
    () =>
      stacked([
        bidirectional(recurrent(gru({ inputSize: I, units: 3, ...bias }), { returnSequences: true }), { merge: 'ave' }),
        bidirectional(recurrent(gru({ inputSize: 3, units: 3, ...bias }), { returnSequences: true }), { merge: 'mul' }),
      ]) as never,
    () => randn([B, T, I], 12),
  ],
  [
    'Embedding, GRU, Dense (char-LM shape)',
    () =>
      stacked([
        embedding({ vocabSize: 10, dim: 4 }),
        recurrent(gru({ inputSize: 4, units: 5, ...bias }), { returnSequences: true }),
        dense({ inputSize: 5, units: 10, activation: 'softplus', ...bias }),
        activationLayer('softmax'),
      ]) as never,
    () =>
      tf.tensor2d(
        [
          [1, 9, 0, 3, 3],
          [4, 2, 7, 0, 8],
        ],
        undefined,
        'int32',
      ),
  ],
  [
    'Dense chain through every exported activation',
    () =>
      stacked(
        ['relu', 'hardSigmoid', 'elu', 'swish', 'selu', 'softsign', 'exponential', 'linear'].map((activation) =>
          dense({ inputSize: I, units: I, activation, ...bias }),
        ),
      ) as never,
    () => randn([B, I], 13),
  ],
];

async function runOnnx(bytes: Uint8Array, x: tf.Tensor): Promise<ort.Tensor> {
  const session = await ort.InferenceSession.create(bytes);
  const data =
    x.dtype === 'int32' ? BigInt64Array.from(Array.from(x.dataSync(), BigInt)) : (x.dataSync() as Float32Array);
  const input = new ort.Tensor(x.dtype === 'int32' ? 'int64' : 'float32', data, x.shape);
  const result = await session.run({ input });
  await session.release();
  return result.output as ort.Tensor;
}

describeBackends('toOnnx', () => {
  checkLeaks();

  describe.each(CASES)('%s', (_name, build, makeInput) => {
    it("should give onnxruntime's outputs equal to Recur's within 1e-5", async () => {
      const model = build();
      const params = model.init(new Rng(21));
      const x = makeInput();
      const ours = model.apply(params, x);
      const bytes = toOnnx(model, params);
      const theirs = await runOnnx(bytes, x);
      expect(theirs.dims).toEqual((ours.output as tf.Tensor).shape);
      expectClose(ours.output as tf.Tensor, theirs.data as Float32Array, TOL);
      tf.dispose([params as never, x, ours as never]);
    });
  });

  it('should take any batch size and length (dynamic axes)', async () => {
    const model = stacked([
      bidirectional(recurrent(lstm({ inputSize: I, units: 3, ...bias }), { returnSequences: true })),
      recurrent(gru({ inputSize: 6, units: 2, ...bias })),
    ]);
    const params = model.init(new Rng(3));
    const bytes = toOnnx(model as never, params as never);
    for (const shape of [
      [1, 7, I],
      [4, 2, I],
    ]) {
      const x = randn(shape, shape[0] as number);
      const ours = model.apply(params, x as tf.Tensor3D);
      const theirs = await runOnnx(bytes, x);
      expectClose(ours.output as tf.Tensor, theirs.data as Float32Array, TOL);
      tf.dispose([x, ours as never]);
    }
    tf.dispose(params as never);
  });

  describe('refusals', () => {
    const refused = (model: AnyLayer, message: RegExp) => {
      const params = model.init(new Rng(1));
      let caught: unknown;
      try {
        toOnnx(model, params);
      } catch (error) {
        caught = error;
      }
      tf.dispose(params as never);
      expect(caught).toBeInstanceOf(RecurError);
      expect((caught as RecurError).code).toBe('NOT_SUPPORTED');
      expect((caught as RecurError).message).toMatch(message);
    };

    it('should refuse what ONNX recurrent operators cannot express, naming the layer', () => {
      refused(
        recurrent(lstm({ inputSize: 2, units: 4, projSize: 2 })) as never,
        /the recurrent layer: ONNX LSTM cannot express a projection/,
      );
      refused(recurrent(lstm({ inputSize: 2, units: 4, cifg: true })) as never, /CIFG/);
      refused(recurrent(lstm({ inputSize: 2, units: 4, layerNorm: true })) as never, /layer normalisation/);
      refused(recurrent(elman({ inputSize: 2, units: 4, activation: 'gelu' })) as never, /no activation 'gelu'/);
      refused(bidirectional(recurrent(gru({ inputSize: 2, units: 3 })), { merge: 'none' }) as never, /merge 'none'/);
    });

    it('should refuse masks, which ONNX recurrent operators cannot take', () => {
      refused(
        stacked([
          embedding({ vocabSize: 5, dim: 2, paddingId: 0 }),
          recurrent(gru({ inputSize: 2, units: 3 })),
        ]) as never,
        /layers\[1\] \(recurrent\): takes the mask made by layers\[0\] \(embedding\)/,
      );
      refused(
        stacked([masking({ inputSize: 2 }), recurrent(gru({ inputSize: 2, units: 3 }))]) as never,
        /layers\[0\] \(masking\): no ONNX export/,
      );
    });

    it('should refuse an opset before 14', () => {
      const model = dense({ inputSize: 2, units: 2 });
      const params = model.init(new Rng(1));
      expect(() => toOnnx(model as never, params, { opset: 13 })).toThrow(
        /options.opset: expected an integer of at least 14/,
      );
      tf.dispose(params as never);
    });
  });
});
