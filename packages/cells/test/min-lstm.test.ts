import { type MinLstmParams, minLstm } from '@recur/cells';
import { scan } from '@recur/core';
import { checkLeaks, describeBackends, expectClose } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type { AnyStepper } from './support/fixtures.js';
import { minLstmRef, minRnnSuite } from './support/min-rnn.js';

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

describeBackends('minLstm', () => {
  checkLeaks();

  describe('step by hand', () => {
    it('should compute eq. 3.2.3 for one unit (f′ = f/(f + i), i′ = i/(f + i), h̃ = g(k_h))', () => {
      const cell = minLstm({ inputSize: 1, units: 1 });
      const params: MinLstmParams = { kernel: tf.tensor2d([[0.5, -1, 2]]), bias: tf.tensor1d([0.1, 0.3, 0.2]) };
      const carry = { h: tf.tensor2d([[-0.7]]) };
      const x = tf.tensor2d([[1]]);
      const out = cell.step(params, carry, x);
      const f = sigmoid(0.6);
      const i = sigmoid(-0.7);
      // k_h = 2.2 ≥ 0: g(k) = k + ½.
      expectClose(out.y, [(f / (f + i)) * -0.7 + (i / (f + i)) * 2.7], { rtol: 1e-6 });
      tf.dispose([out, params, carry, x] as tf.TensorContainer[]);
    });

    it('should keep f′ + i′ = 1 finite where f + i underflows (both gates at pre-activation −120)', () => {
      const cell = minLstm({ inputSize: 1, units: 1 });
      // f = σ(−120) ≈ 7.7e−53 and i = σ(−121) underflow to 0 in float32: f/(f + i) would be NaN.
      // In float64, f′ = 1/(1 + e^{−1}) exactly, since i/f = e^{−1}.
      const params: MinLstmParams = { kernel: tf.tensor2d([[0, 0, 0]]), bias: tf.tensor1d([-120, -121, 1]) };
      const xs = tf.ones([1, 4, 1]) as tf.Tensor3D;
      const h = tf.tensor2d([[0.3]]);
      const fPrime = 1 / (1 + Math.exp(-1));
      let expected = 0.3;
      const ys: number[] = [];
      for (let t = 0; t < 4; t++) {
        expected = fPrime * expected + (1 - fPrime) * 1.5;
        ys.push(expected);
      }
      for (const parallel of ['linear', 'log'] as const) {
        const c = minLstm({ inputSize: 1, units: 1, parallel });
        const { outputs, state } = scan(c, params, xs, { initialState: { h }, returnState: true });
        expectClose(outputs, ys, { rtol: 1e-5 });
        const g = tf.grad((b: tf.Tensor) => tf.sum(scan(c, { ...params, bias: b as tf.Tensor1D }, xs).outputs))(
          params.bias!,
        );
        expect(Array.from(g.dataSync()).every(Number.isFinite)).toBe(true);
        tf.dispose([outputs, state!.h, g]);
      }
      const x = tf.ones([1, 1]) as tf.Tensor2D;
      const step = cell.step(params, { h }, x);
      expectClose(step.y, [ys[0]!], { rtol: 1e-6 });
      tf.dispose([params, xs, h, x, step] as tf.TensorContainer[]);
    });
  });

  minRnnSuite('minLstm', (config) => minLstm(config as never) as unknown as AnyStepper, minLstmRef);
});
