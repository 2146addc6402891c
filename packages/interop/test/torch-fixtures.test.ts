import { checkLeaks, describeBackends, expectClose } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  fromTorch,
  modelFromTorchModules,
  readSafetensors,
  stateFromTorch,
  stateToTorch,
  swapBatchAndTime,
  type TorchModuleInfo,
  torchModules,
  torchWeightSpec,
  toTorch,
} from '../src/index.js';
import { fixtureBytes, fixtureJson, nested } from './helpers/fixtures.js';

interface RnnFixture {
  type: 'RNN' | 'LSTM' | 'GRU';
  args: Record<string, number | boolean | string>;
  input: number[][][];
  output: number[][][];
  h_n: number[][][];
  c_n?: number[][][];
  h_0?: number[][][];
  c_0?: number[][][];
}

const RNN_CASES = [
  'rnn-tanh',
  'rnn-relu-2layers',
  'lstm-2layers',
  'lstm-bidirectional',
  'lstm-proj',
  'lstm-proj-bidirectional',
  'gru-bidirectional',
  'gru-2layers',
] as const;

const TOL = { rtol: 1e-5, atol: 1e-5 };

describeBackends('PyTorch fixtures', () => {
  checkLeaks();

  describe.each(RNN_CASES)('%s', (name) => {
    const fx = fixtureJson<RnnFixture>(name);
    const info: TorchModuleInfo = { name: '', type: fx.type, args: fx.args };
    const batchFirst = fx.args.batch_first === true;

    it("should list the state_dict's keys and shapes in PyTorch's order", () => {
      const { tensors } = readSafetensors(fixtureBytes(`${name}.safetensors`));
      const { model, names } = modelFromTorchModules([info]);
      const spec = torchWeightSpec(model, { modules: names });
      expect(spec.map((w) => [w.name, w.shape])).toEqual(Object.entries(tensors).map(([k, t]) => [k, t.shape]));
      tf.dispose(tensors);
    });

    it("should match PyTorch's outputs and final states within 1e-5", () => {
      const { tensors } = readSafetensors(fixtureBytes(`${name}.safetensors`));
      const { model, names } = modelFromTorchModules([info], { returnState: true });
      const options = { modules: names };
      const params = fromTorch(model, tensors, options);
      const input = nested(fx.input) as tf.Tensor3D;
      const x = batchFirst ? input : swapBatchAndTime(input);
      const torchState =
        fx.h_0 === undefined
          ? undefined
          : {
              '': {
                h: nested(fx.h_0) as tf.Tensor3D,
                ...(fx.c_0 === undefined ? {} : { c: nested(fx.c_0) as tf.Tensor3D }),
              },
            };
      const initialState = torchState === undefined ? undefined : stateFromTorch(model, torchState, options);
      const out = model.apply(params, x, initialState === undefined ? {} : { initialState: initialState as never });
      const y = batchFirst ? (out.output as tf.Tensor3D) : swapBatchAndTime(out.output as tf.Tensor3D);
      expectClose(y, fx.output.flat(2), TOL);
      const final = stateToTorch(model, out.state as never, options)[''];
      expectClose(final?.h as tf.Tensor, fx.h_n.flat(2), TOL);
      expect(final?.h.shape).toEqual([fx.h_n.length, fx.h_n[0]?.length, fx.h_n[0]?.[0]?.length]);
      if (fx.c_n !== undefined) expectClose(final?.c as tf.Tensor, fx.c_n.flat(2), TOL);
      tf.dispose([
        tensors,
        params as tf.TensorContainer,
        input,
        x,
        y,
        out as never,
        final as never,
        torchState as never,
      ]);
      tf.dispose(initialState as never);
    });

    it('should round-trip Recur → torch → Recur exactly', () => {
      const { tensors } = readSafetensors(fixtureBytes(`${name}.safetensors`));
      const { model, names } = modelFromTorchModules([info]);
      const params = fromTorch(model, tensors, { modules: names });
      const dict = toTorch(model, params, { modules: names });
      const again = fromTorch(model, dict, { modules: names });
      const a = tf.util.flatten(params as never) as unknown as tf.Tensor[];
      const b = tf.util.flatten(again as never) as unknown as tf.Tensor[];
      expect(b.map((t) => Array.from(t.dataSync()))).toEqual(a.map((t) => Array.from(t.dataSync())));
      tf.dispose([tensors, params as never, dict, again as never]);
    });
  });

  describe('CharLM (Embedding with padding_idx, 2-layer LSTM, Linear)', () => {
    const fx = fixtureJson<{ input: number[][]; embedded: number[][][]; output: number[][][] }>('charlm');
    const modules: TorchModuleInfo[] = [
      { name: 'embed', type: 'Embedding', args: { num_embeddings: 11, embedding_dim: 4, padding_idx: 0 } },
      { name: 'rnn', type: 'LSTM', args: { input_size: 4, hidden_size: 6, num_layers: 2, batch_first: true } },
      { name: 'head', type: 'Linear', args: { in_features: 6, out_features: 11 } },
    ];

    it("should match PyTorch's logits within 1e-5, the padding row zero", () => {
      const { tensors } = readSafetensors(fixtureBytes('charlm.safetensors'));
      const { model, names } = modelFromTorchModules(modules);
      expect(names).toEqual(['embed', 'rnn', 'rnn', 'head']);
      const params = fromTorch(model, tensors, { modules: names });
      const ids = tf.tensor2d(fx.input, undefined, 'int32');
      const out = model.apply(params, ids);
      expectClose(out.output as tf.Tensor, fx.output.flat(2), TOL);
      const embedded = model.layers[0]?.apply((params as tf.Tensor[])[0] as never, ids);
      expectClose(embedded?.output as tf.Tensor, fx.embedded.flat(2), TOL);
      tf.dispose([tensors, params as never, ids, out as never, embedded as never]);
    });

    it("should make padding_idx a mask only when asked (PyTorch's RNNs run over padding)", () => {
      const plain = modelFromTorchModules(modules).model.layers[0] as unknown as { config: { paddingId?: number } };
      const masked = modelFromTorchModules(modules, { maskPadding: true }).model.layers[0] as unknown as {
        config: { paddingId?: number };
      };
      expect(plain.config.paddingId).toBeUndefined();
      expect(masked.config.paddingId).toBe(0);
    });

    it('should describe the same torch modules it was built from', () => {
      const { model, names } = modelFromTorchModules(modules);
      const described = torchModules(model, { modules: names });
      expect(described.map((m) => [m.name, m.type])).toEqual(modules.map((m) => [m.name, m.type]));
      expect(described[1]?.args).toMatchObject({ num_layers: 2, hidden_size: 6, input_size: 4 });
    });
  });
});
