import { type GruParams, gru } from '@recur/cells';
import { Rng } from '@recur/core';
import { checkLeaks, closeness, describeBackends, expectClose } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { build, randomTensor, VARIANTS } from './support/fixtures.js';
import { checkForward } from './support/forward.js';
import { checkGradients } from './support/gradcheck.js';
import { referenceStep } from './support/reference.js';

const variants = VARIANTS.filter((v) => v.config.kind === 'gru');
const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/** Both variants from the same W and U, with b_x as the one bias and b_h as the extra recurrent one. */
function bothVariants(rng: Rng, recurrentBias: number[]) {
  const kernel = randomTensor<tf.Rank.R2>([3, 6], rng);
  const recurrentKernel = randomTensor<tf.Rank.R2>([2, 6], rng);
  const bx = Array.from({ length: 6 }, () => rng.uniform() - 0.5);
  const after: GruParams = { kernel, recurrentKernel, bias: tf.tensor2d([bx, recurrentBias]) };
  const before: GruParams = { kernel, recurrentKernel, bias: tf.tensor1d(bx) };
  return { after, before };
}

describeBackends('gru', () => {
  checkLeaks();

  describe('step', () => {
    it('should compute resetAfter = true by hand for one unit (r scales h·U_h + b_hh)', () => {
      const cell = gru({ inputSize: 1, units: 1 });
      // Blocks z, r, h. Row 0 of the bias is b_x, row 1 is b_h.
      const params: GruParams = {
        kernel: tf.tensor2d([[0.5, -1, 2]]),
        recurrentKernel: tf.tensor2d([[0.3, 0.6, -0.9]]),
        bias: tf.tensor2d([
          [0.1, 0.2, 0.3],
          [-0.2, 0.4, 0.5],
        ]),
      };
      const carry = { h: tf.tensor2d([[0.7]]) };
      const x = tf.tensor2d([[1]]);
      const out = cell.step(params, carry, x);
      const h = 0.7;
      const z = sigmoid(0.5 + 0.3 * h + 0.1 - 0.2);
      const r = sigmoid(-1 + 0.6 * h + 0.2 + 0.4);
      const hTilde = Math.tanh(2 + 0.3 + r * (-0.9 * h + 0.5));
      expectClose(out.y, [z * h + (1 - z) * hTilde], { rtol: 1e-6 });
      expectClose(out.carry.h, out.y);
      tf.dispose([out, params, carry, x]);
    });

    it('should compute resetAfter = false by hand for one unit (r scales h before U_h)', () => {
      const cell = gru({ inputSize: 1, units: 1, resetAfter: false });
      const params: GruParams = {
        kernel: tf.tensor2d([[0.5, -1, 2]]),
        recurrentKernel: tf.tensor2d([[0.3, 0.6, -0.9]]),
        bias: tf.tensor1d([0.1, 0.2, 0.3]),
      };
      const carry = { h: tf.tensor2d([[0.7]]) };
      const x = tf.tensor2d([[1]]);
      const out = cell.step(params, carry, x);
      const h = 0.7;
      const z = sigmoid(0.5 + 0.3 * h + 0.1);
      const r = sigmoid(-1 + 0.6 * h + 0.2);
      const hTilde = Math.tanh(2 + -0.9 * (r * h) + 0.3);
      expectClose(out.y, [z * h + (1 - z) * hTilde], { rtol: 1e-6 });
      tf.dispose([out, params, carry, x]);
    });

    it.each(variants)('should match the reference equations: $name', ({ config }) => {
      const { cell, stepper } = build(config);
      checkForward(stepper, referenceStep(cell), 51);
    });

    it('should differ between resetAfter true and false for the same weights (no mapping makes them agree)', () => {
      const rng = new Rng(3);
      const { after, before } = bothVariants(rng, [0, 0, 0, 0, 0, 0]);
      const carry = { h: randomTensor<tf.Rank.R2>([4, 2], rng) };
      const x = randomTensor<tf.Rank.R2>([4, 3], rng);
      const a = gru({ inputSize: 3, units: 2 }).step(after, carry, x);
      const b = gru({ inputSize: 3, units: 2, resetAfter: false }).step(before, carry, x);
      expect(closeness(a.y, b.y, { rtol: 1e-2, atol: 1e-3 }).ok).toBe(false);
      tf.dispose([a, b, after, before.bias!, carry, x]);
    });

    it('should agree with resetAfter false from a zero state when the recurrent bias is zero', () => {
      // With h = 0: r ⊙ (0·U_h + 0) = 0 = (r ⊙ 0)·U_h, so only the reset placement differs.
      const rng = new Rng(4);
      const { after, before } = bothVariants(rng, [0, 0, 0, 0, 0, 0]);
      const carry = { h: tf.zeros([4, 2]) as tf.Tensor2D };
      const x = randomTensor<tf.Rank.R2>([4, 3], rng);
      const a = gru({ inputSize: 3, units: 2 }).step(after, carry, x);
      const b = gru({ inputSize: 3, units: 2, resetAfter: false }).step(before, carry, x);
      expectClose(a.y, b.y, { rtol: 1e-6, atol: 1e-7 });
      tf.dispose([a, b, after, before.bias!, carry, x]);
    });
  });

  describe('gradients', () => {
    it.each(variants)('should match float64 central differences: $name', ({ config }) => {
      const { cell, stepper } = build(config);
      checkGradients(stepper, referenceStep(cell), 53);
    });
  });

  describe('init', () => {
    it('should give a [2, 3·units] bias with resetAfter and [3·units] without', () => {
      const after = gru({ inputSize: 3, units: 4 }).init(new Rng(1));
      const before = gru({ inputSize: 3, units: 4, resetAfter: false }).init(new Rng(1));
      expect(after.kernel.shape).toEqual([3, 12]);
      expect(after.recurrentKernel.shape).toEqual([4, 12]);
      expect(after.bias!.shape).toEqual([2, 12]);
      expect(before.bias!.shape).toEqual([12]);
      expectClose(after.bias!, new Array(24).fill(0));
      // The same seed draws the same kernels whatever the bias layout.
      expect(Array.from(after.kernel.dataSync())).toEqual(Array.from(before.kernel.dataSync()));
      tf.dispose([after, before]);
    });
  });

  describe('initCarry', () => {
    it('should give a zero h of [batch, units]', () => {
      const carry = gru({ inputSize: 3, units: 4 }).initCarry(2);
      expect(carry.h.shape).toEqual([2, 4]);
      expectClose(carry.h, new Array(8).fill(0));
      tf.dispose(carry);
    });
  });
});
