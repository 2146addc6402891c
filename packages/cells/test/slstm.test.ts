import { type SlstmParams, slstm } from '@recur/cells';
import { RecurError, Rng, scan } from '@recur/core';
import { checkLeaks, describeBackends } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { type AnyXlstm, checkStepAgainstReference, uniform } from './support/xlstm-check.js';
import { slstmRefStep } from './support/xlstm-reference.js';

const BASE = { inputSize: 3, units: 4, heads: 2 } as const;

/** Random params and a live state (n > 0) or the empty one, keyed as the checks expect. */
function inputs(rng: Rng, batch: number, time: number, empty: boolean, scale = 1) {
  const U = BASE.units;
  const dh = U / BASE.heads;
  const zeros = () => tf.zeros([batch, U]);
  return {
    'params.kernel': uniform([BASE.inputSize, 4 * U], rng, -scale, scale),
    'params.recurrentKernel': uniform([BASE.heads, dh, 4 * dh], rng, -scale, scale),
    'params.bias': uniform([4 * U], rng, -scale, scale),
    'carry.h': empty ? zeros() : uniform([batch, U], rng),
    'carry.c': empty ? zeros() : uniform([batch, U], rng),
    'carry.n': empty ? zeros() : uniform([batch, U], rng, 0.5, 1.5),
    'carry.m': empty ? zeros() : uniform([batch, U], rng),
    xs: uniform([batch, time, BASE.inputSize], rng),
  };
}

describeBackends('slstm', () => {
  checkLeaks();

  describe('step', () => {
    it.each([
      ['sigmoid', false],
      ['sigmoid', true],
      ['exponential', false],
      ['exponential', true],
    ] as const)(
      'should match the float64 reference of eqs. (8)–(17), values and gradients: forget %s, empty state %s',
      (forgetGate, empty) => {
        const cfg = { ...BASE, forgetGate };
        const named = inputs(new Rng(11), 2, 3, empty);
        const constants = empty ? Object.keys(named).filter((n) => n.startsWith('carry.')) : [];
        checkStepAgainstReference(slstm(cfg) as unknown as AnyXlstm, slstmRefStep, cfg, named, 12, constants);
        tf.dispose(named);
      },
    );

    it.each([
      [60, -60],
      [-60, 60],
      [60, 60],
      [-60, -60],
    ])(
      'should stay finite and match the reference with gate pre-activations ĩ = %d, f̃ = %d (stabiliser, eqs. 15–17)',
      (iPre, fPre) => {
        for (const forgetGate of ['sigmoid', 'exponential'] as const) {
          const cfg = { ...BASE, forgetGate };
          const named = inputs(new Rng(5), 2, 3, true, 0.1);
          const U = BASE.units;
          const bias = Float32Array.from(named['params.bias'].dataSync());
          for (let j = 0; j < U; j++) {
            bias[j] = iPre;
            bias[U + j] = fPre;
          }
          named['params.bias'].dispose();
          const withBias = { ...named, 'params.bias': tf.tensor1d(bias) };
          const constants = Object.keys(withBias).filter((n) => n.startsWith('carry.'));
          checkStepAgainstReference(slstm(cfg) as unknown as AnyXlstm, slstmRefStep, cfg, withBias, 6, constants);
          tf.dispose(withBias);
        }
      },
    );

    it('should keep a row of heads apart: head 2 of h does not feed head 1 of the recurrent pre-activation', () => {
      const cell = slstm({ inputSize: 1, units: 2, heads: 2 });
      const params: SlstmParams = {
        kernel: tf.zeros([1, 8]),
        recurrentKernel: tf.ones([2, 1, 4]),
        bias: tf.zeros([8]),
      };
      const { h: zero, ...rest } = cell.initCarry(1);
      zero.dispose();
      const carry = { ...rest, h: tf.tensor2d([[0, 5]]) };
      const x = tf.zeros([1, 1]) as tf.Tensor2D;
      const a = cell.step(params, carry, x);
      const carry2 = { ...carry, h: tf.tensor2d([[0, -5]]) };
      const b = cell.step(params, carry2, x);
      // Unit 0's gates see only h[0] = 0 in both runs.
      expect(a.y.dataSync()[0]).toBeCloseTo(b.y.dataSync()[0]!, 6);
      expect(a.y.dataSync()[1]).not.toBeCloseTo(b.y.dataSync()[1]!, 3);
      tf.dispose([params, carry, carry2, x, a, b] as tf.TensorContainer[]);
    });
  });

  describe('scan', () => {
    it('should run over a masked batch in reverse from an initial state, padded steps keeping the state', () => {
      const cell = slstm(BASE);
      const params = cell.init(new Rng(1));
      const xs = uniform([2, 4, 3], new Rng(2)) as tf.Tensor3D;
      const mask = tf.tensor2d([
        [1, 0, 1, 1],
        [1, 1, 0, 0],
      ]);
      const state0 = cell.initCarry(2);
      const out = scan(cell, params, xs, { mask, reverse: true, returnState: true, initialState: state0 });
      // Row 1 has real steps 0 and 1 only: the same as running those two steps alone.
      const xs1 = tf.slice(xs, [1, 0, 0], [1, 2, 3]) as tf.Tensor3D;
      const unmasked = scan(cell, params, xs1, { reverse: true, returnState: true });
      expect(Array.from(out.outputs.dataSync()).every(Number.isFinite)).toBe(true);
      for (const key of ['h', 'c', 'n', 'm'] as const) {
        const row1 = tf.slice(out.state![key], [1, 0], [1, 4]);
        expect(Array.from(row1.dataSync())).toEqual(Array.from(unmasked.state![key].dataSync()));
        row1.dispose();
      }
      tf.dispose([params, xs, xs1, mask, state0, out, unmasked] as tf.TensorContainer[]);
    });
  });

  describe('config', () => {
    it.each([
      [{ inputSize: 3, units: 4, heads: 3 }, /slstm config\.heads: expected a divisor of units \(4\)/],
      [{ inputSize: 3, units: 0 }, /slstm config\.units/],
      [{ inputSize: 3, units: 4, forgetGate: 'tanh' }, /slstm config\.forgetGate/],
      [{ inputSize: 3, units: 4, unitz: 1 }, /slstm config\.unitz: expected no such field/],
    ])('should reject %o with a RecurError naming the field', (config, message) => {
      expect(() => slstm(config as never)).toThrow(RecurError);
      expect(() => slstm(config as never)).toThrow(message);
    });

    it('should init forget biases from 3 to 6 and every other bias at 0', () => {
      const p = slstm(BASE).init(new Rng(1));
      const b = Array.from(p.bias.dataSync());
      expect(b.slice(4, 8)).toEqual([3, 4, 5, 6]);
      expect([...b.slice(0, 4), ...b.slice(8)].every((v) => v === 0)).toBe(true);
      expect(p.recurrentKernel.shape).toEqual([2, 2, 8]);
      tf.dispose(p as unknown as tf.TensorContainer);
    });
  });
});
