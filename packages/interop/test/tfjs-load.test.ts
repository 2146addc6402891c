import { toKerasWeights } from '@recur/layers';
import { checkLeaks, describeBackends, expectClose } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, it } from 'vitest';
import { fromTfjsModel, fromTorch, modelFromTorchModules, readSafetensors, swapBatchAndTime } from '../src/index.js';
import { readTfjsFolder } from '../src/node.js';
import { fixtureBytes, fixtureJson, nested } from './helpers/fixtures.js';
import { randn, randomBias, savedByTfjs, tfjsFolder } from './helpers/tfjs.js';

const TOL = { rtol: 1e-5, atol: 1e-5 };
const common = { recurrentInitializer: 'glorotUniform' as const, biasInitializer: randomBias() };

/** tfjs-layers models built in the test, with an input for them (and the int32 ids Recur takes). */
const MODELS: readonly [string, () => tfl.LayersModel, () => tf.Tensor, boolean][] = [
  [
    'Sequential: Embedding(mask_zero), LSTM, Dense',
    () =>
      tfl.sequential({
        layers: [
          tfl.layers.embedding({ inputDim: 7, outputDim: 4, maskZero: true, inputShape: [5] }),
          tfl.layers.lstm({ units: 3, ...common }),
          tfl.layers.dense({ units: 2, activation: 'tanh', biasInitializer: randomBias() }),
        ],
      }),
    () =>
      tf.tensor2d([
        [0, 0, 3, 1, 6],
        [2, 5, 4, 0, 0],
      ]),
    true,
  ],
  [
    'Sequential: Masking, Bidirectional(GRU), TimeDistributed(Dense), Dropout',
    () =>
      tfl.sequential({
        layers: [
          tfl.layers.masking({ maskValue: 0, inputShape: [4, 3] }),
          tfl.layers.bidirectional({
            layer: tfl.layers.gru({ units: 3, returnSequences: true, ...common }) as tfl.RNN,
          }),
          tfl.layers.timeDistributed({ layer: tfl.layers.dense({ units: 2, biasInitializer: randomBias() }) }),
          tfl.layers.dropout({ rate: 0.3 }),
        ],
      }),
    () => tf.concat([randn([2, 3, 3], 1), tf.zeros([2, 1, 3])], 1),
    false,
  ],
  [
    'Sequential: Embedding, GRU, TimeDistributed(Dense softmax), Activation',
    () =>
      tfl.sequential({
        layers: [
          tfl.layers.embedding({ inputDim: 7, outputDim: 4, inputShape: [5] }),
          tfl.layers.gru({ units: 3, returnSequences: true, ...common }),
          tfl.layers.timeDistributed({
            layer: tfl.layers.dense({ units: 4, activation: 'softmax', biasInitializer: randomBias() }),
          }),
          tfl.layers.activation({ activation: 'relu6' }),
        ],
      }),
    () =>
      tf.tensor2d([
        [0, 1, 3, 1, 6],
        [2, 5, 4, 0, 2],
      ]),
    true,
  ],
  [
    'functional: Input, SimpleRNN(go_backwards, relu), Bidirectional(LSTM, sum), Dense',
    () => {
      const input = tfl.input({ shape: [5, 3] });
      let x = tfl.layers
        .simpleRNN({ units: 4, activation: 'relu', goBackwards: true, returnSequences: true, ...common })
        .apply(input) as tfl.SymbolicTensor;
      x = tfl.layers
        .bidirectional({ layer: tfl.layers.lstm({ units: 2, ...common }) as tfl.RNN, mergeMode: 'sum' })
        .apply(x) as tfl.SymbolicTensor;
      const y = tfl.layers.dense({ units: 3, biasInitializer: randomBias() }).apply(x) as tfl.SymbolicTensor;
      return tfl.model({ inputs: input, outputs: y });
    },
    () => randn([2, 5, 3], 2),
    false,
  ],
];

describeBackends('fromTfjsModel', () => {
  checkLeaks();

  describe.each(MODELS)('%s', (_name, build, makeInput, ids) => {
    it('should load the saved folder and predict what tfjs-layers predicts', async () => {
      const oracle = build();
      const dir = await tfjsFolder(oracle);
      const files = await readTfjsFolder(dir);
      const x = tf.tidy(makeInput);
      const expected = oracle.predict(x) as tf.Tensor;
      const { model, params } = fromTfjsModel(files);
      const input = ids ? tf.cast(x, 'int32') : x;
      const out = model.apply(params as never, input as never);
      expectClose(out.output as tf.Tensor, expected, TOL);
      tf.dispose([x, input, expected, params as never, out as never]);
      oracle.dispose();
    });
  });
});

describeBackends('fromTfjsModel on a Keras-converter folder', () => {
  checkLeaks();

  it("should run a GRU with reset_after (Keras' default) as PyTorch's nn.GRU computes it", () => {
    // The converter names weights <layer>/<cell>/<weight> and writes Keras' bias [2, 3H].
    const fx = fixtureJson<{ input: number[][][]; output: number[][][]; args: { hidden_size: number } }>('gru-2layers');
    const { tensors } = readSafetensors(fixtureBytes('gru-2layers.safetensors'));
    const torchModel = modelFromTorchModules([
      { name: '', type: 'GRU', args: { input_size: 3, hidden_size: 4, num_layers: 2 } },
    ]);
    const torchParams = fromTorch(torchModel.model, tensors, { modules: torchModel.names });
    const weights = toKerasWeights(torchModel.model, torchParams);
    const data = new Float32Array(weights.flatMap((w) => Array.from(w.dataSync())));
    const gruJson = (name: string) => ({
      class_name: 'GRU',
      config: {
        name,
        units: 4,
        activation: 'tanh',
        recurrent_activation: 'sigmoid',
        reset_after: true,
        return_sequences: true,
      },
    });
    const names = ['gru', 'gru_1'].flatMap((n) =>
      ['kernel', 'recurrent_kernel', 'bias'].map((w) => `${n}/gru_cell/${w}`),
    );
    const files = {
      modelJson: {
        format: 'layers-model',
        generatedBy: 'keras v2.15.0',
        convertedBy: 'TensorFlow.js Converter v4.22.0',
        modelTopology: {
          keras_version: '2.15.0',
          model_config: {
            class_name: 'Sequential',
            config: {
              name: 'sequential',
              layers: [
                { ...gruJson('gru'), config: { ...gruJson('gru').config, batch_input_shape: [null, null, 3] } },
                gruJson('gru_1'),
              ],
            },
          },
        },
        weightsManifest: [
          {
            paths: ['group1-shard1of1.bin'],
            weights: weights.map((w, i) => ({ name: names[i], shape: w.shape, dtype: 'float32' })),
          },
        ],
      },
      shards: { 'group1-shard1of1.bin': new Uint8Array(data.buffer) },
    };
    const { model, params } = fromTfjsModel(files);
    const input = nested(fx.input) as tf.Tensor3D;
    const x = swapBatchAndTime(input);
    const out = model.apply(params as never, x as never);
    const y = swapBatchAndTime(out.output as tf.Tensor3D);
    expectClose(y, fx.output.flat(2), TOL);
    tf.dispose([tensors, torchParams as never, weights, params as never, input, x, out as never, y]);
  });
});

describeBackends('fromTfjsModel on a Keras 3 functional topology', () => {
  checkLeaks();

  it('should follow keras_history links and batch_shape as Keras 3 writes them', async () => {
    const input = tfl.input({ shape: [4, 3] });
    const hidden = tfl.layers.lstm({ units: 3, ...common }).apply(input) as tfl.SymbolicTensor;
    const y = tfl.layers.dense({ units: 2, biasInitializer: randomBias() }).apply(hidden) as tfl.SymbolicTensor;
    const oracle = tfl.model({ inputs: input, outputs: y });
    const files = await savedByTfjs(oracle);
    const topology = files.modelJson.modelTopology as { class_name: string; config: { layers: Keras2Layer[] } };
    topology.class_name = 'Functional';
    for (const layer of topology.config.layers) {
      if (layer.config.batch_input_shape !== undefined) {
        layer.config.batch_shape = layer.config.batch_input_shape;
        delete layer.config.batch_input_shape;
      }
      layer.inbound_nodes = layer.inbound_nodes.map((node) => ({
        args: (node as unknown[][]).map((src) => ({
          class_name: '__keras_tensor__',
          config: { keras_history: src.slice(0, 3) },
        })),
        kwargs: {},
      }));
    }
    const x = randn([2, 4, 3], 9);
    const expected = oracle.predict(x) as tf.Tensor;
    const { model, params } = fromTfjsModel(files);
    const out = model.apply(params, x);
    expectClose(out.output, expected, TOL);
    tf.dispose([x, expected, params as never, out as never]);
    oracle.dispose();
  });
});

interface Keras2Layer {
  config: Record<string, unknown>;
  inbound_nodes: unknown[];
}
