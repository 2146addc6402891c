import { type LstmParams, lstm } from '@recur/cells';
import { Rng } from '@recur/core';
import { checkLeaks, describeBackends, expectClose } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { build, VARIANTS } from './support/fixtures.js';
import { checkForward } from './support/forward.js';
import { checkGradients } from './support/gradcheck.js';
import { referenceStep } from './support/reference.js';

const variants = VARIANTS.filter((v) => v.config.kind === 'lstm');
const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

describeBackends('lstm', () => {
  checkLeaks();

  describe('step', () => {
    it('should compute one step of one unit by hand (i, f, c, o with unit weights)', () => {
      const cell = lstm({ inputSize: 1, units: 1 });
      // Gate order i, f, c, o: W = [0.5, -0.5, 1, 0.25], U = [0.1, 0.2, 0.3, 0.4], b = [0, 1, 0, 0].
      const params: LstmParams = {
        kernel: tf.tensor2d([[0.5, -0.5, 1, 0.25]]),
        recurrentKernel: tf.tensor2d([[0.1, 0.2, 0.3, 0.4]]),
        bias: tf.tensor1d([0, 1, 0, 0]),
      };
      const carry = { h: tf.tensor2d([[0.5]]), c: tf.tensor2d([[-1]]) };
      const x = tf.tensor2d([[2]]);
      const out = cell.step(params, carry, x);
      const i = sigmoid(1 + 0.05);
      const f = sigmoid(-1 + 0.1 + 1);
      const g = Math.tanh(2 + 0.15);
      const c = f * -1 + i * g;
      const h = sigmoid(0.5 + 0.2) * Math.tanh(c);
      expectClose(out.carry.c, [c], { rtol: 1e-6 });
      expectClose(out.carry.h, [h], { rtol: 1e-6 });
      expectClose(out.y, [h], { rtol: 1e-6 });
      tf.dispose([out, params, carry, x]);
    });

    it.each(variants)('should match the reference equations: $name', ({ config }) => {
      const { cell, stepper } = build(config);
      checkForward(stepper, referenceStep(cell), 11);
    });

    it('should return new tensors and leave its inputs alive', () => {
      const cell = lstm({ inputSize: 2, units: 3, projSize: 2 });
      const params = cell.init(new Rng(1));
      const carry = cell.initCarry(2);
      const x = tf.ones([2, 2]) as tf.Tensor2D;
      const out = cell.step(params, carry, x);
      expect(out.y).not.toBe(out.carry.h);
      expect(out.y.shape).toEqual([2, 2]);
      expect(out.carry.c.shape).toEqual([2, 3]);
      tf.dispose(out.carry);
      expect(out.y.isDisposed).toBe(false);
      expect([x, carry.h, carry.c, params.kernel].some((t) => t.isDisposed)).toBe(false);
      tf.dispose([out.y, params, carry, x]);
    });
  });

  describe('gradients', () => {
    it.each(variants)('should match float64 central differences: $name', ({ config }) => {
      const { cell, stepper } = build(config);
      checkGradients(stepper, referenceStep(cell), 23);
    });
  });

  describe('init', () => {
    it('should give Keras shapes, a forget bias of one and zeros elsewhere', () => {
      const params = lstm({ inputSize: 3, units: 4 }).init(new Rng(5));
      expect(Object.keys(params).sort()).toEqual(['bias', 'kernel', 'recurrentKernel']);
      expect(params.kernel.shape).toEqual([3, 16]);
      expect(params.recurrentKernel.shape).toEqual([4, 16]);
      expectClose(params.bias!, [0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
      tf.dispose(params);
    });

    it('should put the forget bias in the first block under CIFG and leave it out when unitForgetBias is false', () => {
      const cifg = lstm({ inputSize: 2, units: 2, cifg: true }).init(new Rng(5));
      expectClose(cifg.bias!, [1, 1, 0, 0, 0, 0]);
      const plain = lstm({ inputSize: 2, units: 2, unitForgetBias: false }).init(new Rng(5));
      expectClose(plain.bias!, new Array(8).fill(0));
      tf.dispose([cifg, plain]);
    });

    it('should give every option its parameters with their shapes', () => {
      const params = lstm({ inputSize: 3, units: 4, peephole: true, projSize: 2, layerNorm: true }).init(new Rng(5));
      const shapes = Object.fromEntries(Object.entries(params).map(([k, t]) => [k, t.shape]));
      expect(shapes).toEqual({
        kernel: [3, 16],
        recurrentKernel: [2, 16],
        bias: [16],
        peepholeI: [4],
        peepholeF: [4],
        peepholeO: [4],
        projKernel: [4, 2],
        lnKernelGain: [16],
        lnKernelShift: [16],
        lnRecurrentGain: [16],
        lnRecurrentShift: [16],
        lnCellGain: [4],
        lnCellShift: [4],
      });
      expectClose(params.lnKernelGain!, new Array(16).fill(1));
      expectClose(params.lnCellShift!, new Array(4).fill(0));
      const cifg = lstm({ inputSize: 3, units: 4, peephole: true, cifg: true }).init(new Rng(5));
      expect(Object.keys(cifg).sort()).toEqual(['bias', 'kernel', 'peepholeF', 'peepholeO', 'recurrentKernel']);
      expect(cifg.kernel.shape).toEqual([3, 12]);
      tf.dispose([params, cifg]);
    });

    it('should draw the same weights from the same seed and different ones from another', () => {
      const cell = lstm({ inputSize: 3, units: 4, peephole: true });
      const [a, b, c] = [7, 7, 8].map((seed) => cell.init(new Rng(seed)));
      for (const name of ['kernel', 'recurrentKernel', 'peepholeF'] as const) {
        expect(Array.from(a![name]!.dataSync())).toEqual(Array.from(b![name]!.dataSync()));
        expect(Array.from(a![name]!.dataSync())).not.toEqual(Array.from(c![name]!.dataSync()));
      }
      tf.dispose([a, b, c]);
    });

    it('should make the recurrent kernel orthogonal (rows of U are orthonormal)', () => {
      const params = lstm({ inputSize: 3, units: 4 }).init(new Rng(9));
      const u = params.recurrentKernel;
      const gram = tf.tidy(() => tf.matMul(u, u, false, true).arraySync() as number[][]);
      expectClose(gram.flat(), [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1], { atol: 1e-5 });
      tf.dispose(params);
    });
  });

  describe('initCarry', () => {
    it('should give zero h of the output size and zero c of the cell size', () => {
      const carry = lstm({ inputSize: 3, units: 4, projSize: 2 }).initCarry(5);
      expect(carry.h.shape).toEqual([5, 2]);
      expect(carry.c.shape).toEqual([5, 4]);
      expect(Math.max(...carry.h.dataSync(), ...carry.c.dataSync().map(Math.abs))).toBe(0);
      tf.dispose(carry);
    });
  });
});
