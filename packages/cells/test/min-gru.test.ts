import { type MinGruParams, minGru } from '@recur/cells';
import { checkLeaks, describeBackends, expectClose } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, it } from 'vitest';
import type { AnyStepper } from './support/fixtures.js';
import { minGruRef, minRnnSuite } from './support/min-rnn.js';

describeBackends('minGru', () => {
  checkLeaks();

  describe('step by hand', () => {
    it('should compute eq. 3.1.3 for one unit (z = σ(k_z), h̃ = g(k_h))', () => {
      const cell = minGru({ inputSize: 1, units: 1 });
      const params: MinGruParams = { kernel: tf.tensor2d([[0.5, -2]]), bias: tf.tensor1d([0.1, 0.4]) };
      const carry = { h: tf.tensor2d([[0.7]]) };
      const x = tf.tensor2d([[1]]);
      const out = cell.step(params, carry, x);
      const z = 1 / (1 + Math.exp(-0.6));
      // k_h = −1.6 < 0: g takes its sigmoid branch.
      const hTilde = 1 / (1 + Math.exp(1.6));
      expectClose(out.y, [(1 - z) * 0.7 + z * hTilde], { rtol: 1e-6 });
      tf.dispose([out, params, carry, x] as tf.TensorContainer[]);
    });
  });

  minRnnSuite('minGru', (config) => minGru(config as never) as unknown as AnyStepper, minGruRef);
});
