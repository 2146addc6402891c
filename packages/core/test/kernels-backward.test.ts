import { SEQUENCE_KERNEL_ACTIVATIONS } from '@recur/core';
import { checkLeaks, describeBackends, expectClose } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  type Case,
  caseInputs,
  caseLoss,
  KERNEL_CONFIGS,
  makeCase,
  SCENARIOS,
  useReferenceKernels,
} from './kernels-cases.js';
import type { Kind } from './scan-cells.js';

const INPUT_NAMES = ['xs', 'kernel', 'recurrentKernel', 'bias', 'h0', 'c0'];

/** Gradients of the case's loss w.r.t. every input, through the kernel or by autodiff of the steps. */
function gradients(c: Case, kind: Kind, fusedPath: boolean): tf.Tensor[] {
  return tf.tidy(() => tf.grads(caseLoss(c, kind, fusedPath))(caseInputs(c, kind)));
}

function expectSameGradients(c: Case, kind: Kind): void {
  const kernel = gradients(c, kind, true);
  const autodiff = gradients(c, kind, false);
  kernel.forEach((g, i) => {
    expect(g.shape, INPUT_NAMES[i]).toEqual(autodiff[i]?.shape);
    expectClose(g, autodiff[i] as tf.Tensor, { rtol: 1e-4, atol: 1e-5 });
  });
  tf.dispose([...kernel, ...autodiff]);
}

describeBackends('reference sequence kernels, backward through time', () => {
  checkLeaks();
  useReferenceKernels();

  describe.each(KERNEL_CONFIGS)('%s', (_label, kind, options) => {
    it.each(SCENARIOS)('should equal autodiff of the stepped cell with %s', (_name, scenario) => {
      const c = makeCase(kind, options, scenario, 21);
      expectSameGradients(c, kind);
      c.dispose();
    });
  });

  describe.each(SEQUENCE_KERNEL_ACTIVATIONS.map((a) => [a]))('elman with activation %s', (activation) => {
    it('should equal autodiff of the stepped cell', () => {
      const c = makeCase('elman', { activation }, { batch: 3, time: 4, mask: 'holes', initial: true }, 31);
      expectSameGradients(c, 'elman');
      c.dispose();
    });
  });

  it.each(['relu', 'linear', 'hardSigmoid'])('should back-propagate an LSTM and GRU with %s activations', (name) => {
    for (const kind of ['lstm', 'gru'] as const) {
      const c = makeCase(
        kind,
        { activation: name, recurrentActivation: name, resetAfter: true },
        { batch: 3, time: 4 },
        41,
      );
      expectSameGradients(c, kind);
      c.dispose();
    }
  });

  // Central differences in float32: loose tolerance, but independent of any autodiff.
  describe.each([
    ['lstm, masked and reversed', 'lstm', {}, { batch: 2, time: 3, mask: 'holes', reverse: true, initial: true }],
    [
      'gru resetAfter true, [2, 3H] bias',
      'gru',
      { resetAfter: true, splitBias: true },
      { batch: 2, time: 3, initial: true },
    ],
    ['gru resetAfter false', 'gru', { resetAfter: false }, { batch: 2, time: 3, mask: 'lengths', initial: true }],
    ['elman', 'elman', {}, { batch: 2, time: 3, initial: true }],
  ] as const)('finite differences: %s', (_label, kind, options, scenario) => {
    it('should match the kernel gradient of every input at a few entries', () => {
      const c = makeCase(kind, options, scenario, 51);
      const inputs = tf.tidy(() => caseInputs(c, kind).map((t) => tf.clone(t)));
      const loss = caseLoss(c, kind, true);
      const grads = tf.tidy(() => tf.grads(loss)(inputs));
      const f = (values: tf.Tensor[]) => tf.tidy(() => loss(...values).dataSync()[0] as number);
      const eps = 1e-2;
      inputs.forEach((input, i) => {
        const flat = input.dataSync().slice();
        const g = (grads[i] as tf.Tensor).dataSync();
        for (const index of [0, Math.floor(flat.length / 2), flat.length - 1]) {
          const at = (delta: number) => {
            const moved = flat.slice();
            moved[index] = (moved[index] as number) + delta;
            const tensor = tf.tensor(moved, input.shape);
            const value = f(inputs.map((t, k) => (k === i ? tensor : t)));
            tensor.dispose();
            return value;
          };
          const numeric = (at(eps) - at(-eps)) / (2 * eps);
          expectClose(g[index] as number, numeric, { rtol: 2e-2, atol: 2e-3 });
        }
      });
      tf.dispose([...inputs, ...grads]);
      c.dispose();
    });
  });
});
