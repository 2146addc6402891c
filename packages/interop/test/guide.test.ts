import type { LayerState } from '@recur/layers';
import { checkLeaks, describeBackends, expectClose } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import {
  fromTorch,
  modelFromTorchModules,
  readSafetensors,
  type TorchModuleInfo,
  toOnnx,
  torchModules,
  toTorch,
  writeSafetensors,
} from '../src/index.js';
import { fixtureBytes, fixtureJson } from './helpers/fixtures.js';

// The char-LM fixture has the shape of examples/torch/train_lstm.py's export, smaller.
const modules: TorchModuleInfo[] = [
  { name: 'embed', type: 'Embedding', args: { num_embeddings: 11, embedding_dim: 4 } },
  { name: 'rnn', type: 'LSTM', args: { input_size: 4, hidden_size: 6, num_layers: 2, batch_first: true } },
  { name: 'head', type: 'Linear', args: { in_features: 6, out_features: 11 } },
];
const fx = fixtureJson<{ input: number[][]; output: number[][][] }>('charlm');

describeBackends('README guide: Train large in PyTorch, run in JavaScript', () => {
  checkLeaks();

  describe('step 3: load in Recur', () => {
    it('should generate step by step, carrying the state, as the whole sequence computes', async () => {
      const { tensors } = readSafetensors(fixtureBytes('charlm.safetensors'));
      const { model, names } = modelFromTorchModules(modules, { returnState: true });
      const params = fromTorch(model, tensors, { modules: names });
      tf.dispose(tensors);

      // The guide's loop, fed the fixture's first row instead of its own predictions.
      const row = fx.input[0] as number[];
      let state: LayerState | undefined;
      const steps: number[][] = [];
      for (const id of row) {
        const ids = tf.tensor2d([[id]], [1, 1], 'int32');
        const out = model.apply(params, ids, state === undefined ? {} : { initialState: state as never });
        const flat = tf.reshape(out.output, [-1]);
        steps.push(Array.from(flat.dataSync()));
        tf.dispose([ids, out.output, flat, state as never]);
        state = out.state as LayerState;
      }
      tf.dispose(state as never);
      expectClose(steps.flat(), (fx.output[0] as number[][]).flat(), { rtol: 1e-5, atol: 1e-5 });
      tf.dispose(params as never);
    });
  });

  describe('step 5: the way back', () => {
    it('should give PyTorch the same state_dict and modules, and onnxruntime the same logits', async () => {
      const { tensors } = readSafetensors(fixtureBytes('charlm.safetensors'));
      const { model, names } = modelFromTorchModules(modules);
      const params = fromTorch(model, tensors, { modules: names });
      const options = { modules: ['embed', 'rnn', 'rnn', 'head'] };
      const dict = toTorch(model, params, options);
      const back = readSafetensors(writeSafetensors(dict));
      expect(Object.keys(back.tensors)).toEqual(Object.keys(tensors));
      expect(torchModules(model, options)).toEqual(
        modules.map((m) => ({ ...m, args: expect.objectContaining(m.args) as unknown })),
      );

      const session = await ort.InferenceSession.create(toOnnx(model, params));
      const ids = new ort.Tensor('int64', BigInt64Array.from(fx.input.flat().map(BigInt)), [2, 5]);
      const { output } = await session.run({ input: ids });
      await session.release();
      expectClose(output?.data as Float32Array, fx.output.flat(2), { rtol: 1e-5, atol: 1e-5 });
      tf.dispose([tensors, dict, back.tensors, params as never]);
    });
  });
});
