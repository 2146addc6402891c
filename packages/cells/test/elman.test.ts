import { elman } from '@recur/cells';
import { Rng } from '@recur/core';
import { checkLeaks, describeBackends, expectClose } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { build, VARIANTS } from './support/fixtures.js';
import { checkForward } from './support/forward.js';
import { checkGradients } from './support/gradcheck.js';
import { referenceStep } from './support/reference.js';

const variants = VARIANTS.filter((v) => v.config.kind === 'elman');

describeBackends('elman', () => {
  checkLeaks();

  describe('step', () => {
    it('should compute tanh(x·W + h·U + b) by hand for one unit', () => {
      const cell = elman({ inputSize: 2, units: 1 });
      const params = {
        kernel: tf.tensor2d([[0.5], [-0.25]]),
        recurrentKernel: tf.tensor2d([[0.8]]),
        bias: tf.tensor1d([0.1]),
      };
      const carry = { h: tf.tensor2d([[0.5], [-1]]) };
      const x = tf.tensor2d([
        [1, 2],
        [0, 0],
      ]);
      const out = cell.step(params, carry, x);
      // Row 0: 0.5 − 0.5 + 0.4 + 0.1; row 1: −0.8 + 0.1.
      expectClose(out.y, [Math.tanh(0.5), Math.tanh(-0.7)], { rtol: 1e-6 });
      expectClose(out.carry.h, out.y);
      tf.dispose([out, params, carry, x]);
    });

    it('should apply relu when asked', () => {
      const cell = elman({ inputSize: 1, units: 2, activation: 'relu', useBias: false });
      const params = {
        kernel: tf.tensor2d([[1, -1]]),
        recurrentKernel: tf.tensor2d([
          [0, 0],
          [0, 0],
        ]),
      };
      const carry = cell.initCarry(1);
      const x = tf.tensor2d([[3]]);
      const out = cell.step(params, carry, x);
      expectClose(out.y, [3, 0]);
      tf.dispose([out, params, carry, x]);
    });

    it.each(variants)('should match the reference equations: $name', ({ config }) => {
      const { cell, stepper } = build(config);
      checkForward(stepper, referenceStep(cell), 31);
    });
  });

  describe('gradients', () => {
    it.each(variants)('should match float64 central differences: $name', ({ config }) => {
      const { cell, stepper } = build(config);
      checkGradients(stepper, referenceStep(cell), 37);
    });
  });

  describe('init', () => {
    it('should give Keras shapes and a zero bias, and no bias without useBias', () => {
      const params = elman({ inputSize: 3, units: 4 }).init(new Rng(1));
      expect(params.kernel.shape).toEqual([3, 4]);
      expect(params.recurrentKernel.shape).toEqual([4, 4]);
      expectClose(params.bias!, [0, 0, 0, 0]);
      const noBias = elman({ inputSize: 3, units: 4, useBias: false }).init(new Rng(1));
      expect(Object.keys(noBias).sort()).toEqual(['kernel', 'recurrentKernel']);
      tf.dispose([params, noBias]);
    });

    it('should draw glorot-uniform kernels within their limit, the same for the same seed', () => {
      const cell = elman({ inputSize: 3, units: 4 });
      const [a, b] = [3, 3].map((seed) => cell.init(new Rng(seed)));
      const limit = Math.sqrt(6 / (3 + 4));
      expect(Math.max(...a!.kernel.dataSync().map(Math.abs))).toBeLessThanOrEqual(limit);
      expect(Array.from(a!.kernel.dataSync())).toEqual(Array.from(b!.kernel.dataSync()));
      expect(Array.from(a!.recurrentKernel.dataSync())).toEqual(Array.from(b!.recurrentKernel.dataSync()));
      tf.dispose([a, b]);
    });

    it('should use the initializers the config names', () => {
      const params = elman({ inputSize: 2, units: 2, kernelInitializer: 'ones', biasInitializer: 'ones' }).init(
        new Rng(1),
      );
      expectClose(params.kernel, [1, 1, 1, 1]);
      expectClose(params.bias!, [1, 1]);
      tf.dispose(params);
    });
  });

  describe('initCarry', () => {
    it('should give a zero h of [batch, units]', () => {
      const carry = elman({ inputSize: 3, units: 4 }).initCarry(2);
      expectClose(carry.h, new Array(8).fill(0));
      expect(carry.h.shape).toEqual([2, 4]);
      tf.dispose(carry);
    });
  });
});
