import { jordan } from '@recur/cells';
import { Rng } from '@recur/core';
import { checkLeaks, describeBackends, expectClose } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { build, VARIANTS } from './support/fixtures.js';
import { checkForward } from './support/forward.js';
import { checkGradients } from './support/gradcheck.js';
import { referenceStep } from './support/reference.js';

const variants = VARIANTS.filter((v) => v.config.kind === 'jordan');

describeBackends('jordan', () => {
  checkLeaks();

  describe('step', () => {
    it('should feed back the previous output, not the hidden state (by hand)', () => {
      const cell = jordan({ inputSize: 1, units: 1, outputSize: 1 });
      const params = {
        kernel: tf.tensor2d([[0.5]]),
        recurrentKernel: tf.tensor2d([[2]]),
        bias: tf.tensor1d([0.1]),
        outputKernel: tf.tensor2d([[-1.5]]),
        outputBias: tf.tensor1d([0.2]),
      };
      const carry = { y: tf.tensor2d([[0.25]]) };
      const x = tf.tensor2d([[1]]);
      const out = cell.step(params, carry, x);
      const h = Math.tanh(0.5 + 2 * 0.25 + 0.1);
      const y = Math.tanh(-1.5 * h + 0.2);
      expectClose(out.y, [y], { rtol: 1e-6 });
      expectClose(out.carry.y, [y], { rtol: 1e-6 });
      tf.dispose([out, params, carry, x]);
    });

    it.each(variants)('should match the reference equations: $name', ({ config }) => {
      const { cell, stepper } = build(config);
      checkForward(stepper, referenceStep(cell), 41);
    });
  });

  describe('gradients', () => {
    it.each(variants)('should match float64 central differences: $name', ({ config }) => {
      const { cell, stepper } = build(config);
      checkGradients(stepper, referenceStep(cell), 43);
    });
  });

  describe('init', () => {
    it('should give the documented shapes and defaults', () => {
      const cell = jordan({ inputSize: 3, units: 5, outputSize: 2 });
      expect(cell.config.outputActivation).toBe('tanh');
      expect(cell.outputSize).toBe(2);
      const params = cell.init(new Rng(2));
      const shapes = Object.fromEntries(Object.entries(params).map(([k, t]) => [k, t.shape]));
      expect(shapes).toEqual({
        kernel: [3, 5],
        recurrentKernel: [2, 5],
        bias: [5],
        outputKernel: [5, 2],
        outputBias: [2],
      });
      expectClose(params.outputBias!, [0, 0]);
      tf.dispose(params);
    });

    it('should be deterministic by seed', () => {
      const cell = jordan({ inputSize: 3, units: 5, outputSize: 2 });
      const [a, b] = [4, 4].map((seed) => cell.init(new Rng(seed)));
      expect(Array.from(a!.outputKernel.dataSync())).toEqual(Array.from(b!.outputKernel.dataSync()));
      tf.dispose([a, b]);
    });
  });

  describe('initCarry', () => {
    it('should give a zero y of [batch, outputSize]', () => {
      const carry = jordan({ inputSize: 3, units: 5, outputSize: 2 }).initCarry(3);
      expect(carry.y.shape).toEqual([3, 2]);
      expectClose(carry.y, new Array(6).fill(0));
      tf.dispose(carry);
    });
  });
});
