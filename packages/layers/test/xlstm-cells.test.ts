import { mlstm, slstm } from '@recur/cells';
import { type Carry, type Cell, Rng, scan } from '@recur/core';
import { checkLeaks, describeBackends, expectClose } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, it } from 'vitest';
import { bidirectional, recurrent, stacked } from '../src/index.js';
import { maskFromRanges, randomTensor } from './helpers/oracle.js';

const [B, T, I] = [3, 5, 3];

const CELLS: readonly [string, () => Cell][] = [
  ['sLSTM (fused kernel)', () => slstm({ inputSize: I, units: 4, heads: 2 }) as unknown as Cell],
  ['mLSTM (chunkwise)', () => mlstm({ inputSize: I, units: 4, heads: 2, chunkSize: 2 }) as unknown as Cell],
];

describeBackends('sLSTM and mLSTM in the layers', () => {
  checkLeaks();

  describe.each(CELLS)('%s', (_name, make) => {
    it('should run in bidirectional (concat) with a mask: each half what scan gives, zeros at padded steps', () => {
      const cell = make();
      const layer = bidirectional(recurrent(cell, { returnSequences: true }));
      const params = layer.init(new Rng(1));
      const x = randomTensor<tf.Rank.R3>([B, T, I], 2);
      const mask = maskFromRanges(
        [
          [0, 5],
          [1, 4],
          [0, 2],
        ],
        T,
      );
      tf.tidy(() => {
        const { output } = layer.apply(params, x, { mask });
        const options = { mask, maskedOutput: 'zeros' as const };
        const forward = scan(cell, params.forward as never, x, options).outputs;
        const backward = scan(cell, params.backward as never, x, {
          ...options,
          reverse: true,
          keepOrder: true,
        }).outputs;
        expectClose(output as tf.Tensor, tf.concat([forward, backward], 2), { rtol: 1e-6, atol: 1e-6 });
      });
      tf.dispose([params, x, mask] as tf.TensorContainer[]);
    });

    it('should run as the first of two stacked recurrent layers, its sequence feeding the second', () => {
      const cell = make();
      const model = stacked([recurrent(cell, { returnSequences: true }), recurrent(mlstm({ inputSize: 4, units: 2 }))]);
      const params = model.init(new Rng(3));
      const x = randomTensor<tf.Rank.R3>([B, T, I], 4);
      tf.tidy(() => {
        const { output } = model.apply(params, x);
        const hidden = scan(cell, params[0] as never, x).outputs;
        const last = scan(mlstm({ inputSize: 4, units: 2 }), params[1] as never, hidden as tf.Tensor3D, {
          returnSequences: false,
        });
        expectClose(output as tf.Tensor, last.outputs, { rtol: 1e-6, atol: 1e-6 });
      });
      tf.dispose([params, x] as tf.TensorContainer[]);
    });

    it('should continue from a returned state: two halves equal one run (stateful use)', () => {
      const layer = recurrent(make(), { returnSequences: true, returnState: true });
      const params = layer.init(new Rng(5));
      const x = randomTensor<tf.Rank.R3>([B, 4, I], 6);
      tf.tidy(() => {
        const whole = layer.apply(params, x);
        const first = layer.apply(params, tf.slice(x, [0, 0, 0], [B, 2, I]) as tf.Tensor3D);
        const second = layer.apply(params, tf.slice(x, [0, 2, 0], [B, 2, I]) as tf.Tensor3D, {
          initialState: first.state as Carry,
        });
        expectClose(tf.concat([first.output, second.output], 1), whole.output, { rtol: 1e-5, atol: 1e-5 });
      });
      tf.dispose([params, x] as tf.TensorContainer[]);
    });
  });
});
