import { Rng } from '@recur/core';
import { checkLeaks, describeBackends } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  fromTorch,
  modelFromTorchModules,
  type TorchModuleInfo,
  torchModules,
  torchWeightSpec,
  toTorch,
} from '../src/index.js';

/** Any nn.RNN / nn.LSTM / nn.GRU configuration Recur can hold. */
const rnnModule = fc
  .record({
    type: fc.constantFrom('RNN', 'LSTM', 'GRU'),
    input_size: fc.integer({ min: 1, max: 4 }),
    hidden_size: fc.integer({ min: 2, max: 5 }),
    num_layers: fc.integer({ min: 1, max: 3 }),
    bidirectional: fc.boolean(),
    bias: fc.boolean(),
    proj: fc.boolean(),
    relu: fc.boolean(),
  })
  .map(({ type, proj, relu, ...args }): TorchModuleInfo => {
    const extra: Record<string, number | string> =
      type === 'LSTM' && proj
        ? { proj_size: args.hidden_size - 1 }
        : type === 'RNN'
          ? { nonlinearity: relu ? 'relu' : 'tanh' }
          : {};
    return { name: 'rnn', type, args: { ...args, batch_first: true, ...extra } };
  });

describeBackends('PyTorch mapping properties', () => {
  checkLeaks();

  describe('any RNN module', () => {
    it('should describe itself back, list keys as toTorch writes them, and round-trip exactly', () => {
      fc.assert(
        fc.property(rnnModule, fc.integer({ min: 0, max: 1000 }), (info, seed) => {
          const { model, names } = modelFromTorchModules([info]);
          const options = { modules: names };
          expect(torchModules(model, options)).toEqual([info]);
          const params = model.init(new Rng(seed));
          const dict = toTorch(model, params, options);
          expect(Object.entries(dict).map(([k, t]) => [k, t.shape])).toEqual(
            torchWeightSpec(model, options).map((w) => [w.name, w.shape]),
          );
          const again = fromTorch(model, dict, options);
          const a = tf.util.flatten(params as never) as unknown as tf.Tensor[];
          const b = tf.util.flatten(again as never) as unknown as tf.Tensor[];
          expect(b.map((t) => Array.from(t.dataSync()))).toEqual(a.map((t) => Array.from(t.dataSync())));
          tf.dispose([params as never, dict, again as never]);
        }),
        { numRuns: 30 },
      );
    });
  });
});
