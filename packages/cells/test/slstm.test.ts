import { type SlstmParams, slstm } from '@recur/cells';
import { RecurError, Rng, scan } from '@recur/core';
import { checkLeaks, describeBackends } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { type AnyXlstm, checkSequenceAgainstSteps, checkStepAgainstReference, uniform } from './support/xlstm-check.js';
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

  describe('sequence (the RecurSlstmSequence kernel)', () => {
    const cases = [
      ['T = 7, masked, forward, previous, sigmoid forget', 7, true, false, 'previous', 'sigmoid', false],
      ['T = 7, masked, reverse, zeros, exponential forget', 7, true, true, 'zeros', 'exponential', false],
      ['T = 7, masked, reverse, previous, from the empty state', 7, true, true, 'previous', 'sigmoid', true],
      ['T = 5, unmasked, exponential forget, from the empty state', 5, false, false, 'previous', 'exponential', true],
      ['T = 1, masked', 1, true, false, 'zeros', 'sigmoid', false],
    ] as const;
    it.each(cases)(
      'should equal stepping the cell (values 1e-5, gradients 1e-4): %s',
      (_name, time, masked, reverse, maskedOutput, forgetGate, empty) => {
        const cell = slstm({ ...BASE, forgetGate }) as unknown as AnyXlstm;
        const named = inputs(new Rng(41 + time), 3, time, empty);
        const params = {
          kernel: named['params.kernel'],
          recurrentKernel: named['params.recurrentKernel'],
          bias: named['params.bias'],
        };
        const state = { h: named['carry.h'], c: named['carry.c'], n: named['carry.n'], m: named['carry.m'] };
        const rows = [
          [0, 1, 1, 0, 1, 1, 0],
          [1, 1, 0, 0, 0, 0, 0],
          [0, 0, 0, 0, 0, 0, 0],
        ].map((r) => r.slice(0, time));
        if (time === 1) rows[0] = [1];
        const mask = masked ? tf.tensor2d(rows) : undefined;
        // The empty state's n = 0 is where the gate switches branch: no derivative there.
        const constants = empty ? ['h', 'c', 'n', 'm'] : [];
        checkSequenceAgainstSteps(
          cell,
          params,
          named.xs as tf.Tensor3D,
          state,
          { reverse, keepOrder: true, maskedOutput, ...(mask === undefined ? {} : { mask }) },
          time,
          constants,
        );
        tf.dispose([named, mask] as tf.TensorContainer[]);
      },
    );

    it('should agree with stepping at gate pre-activations of ±60', () => {
      const named = inputs(new Rng(3), 2, 5, true, 0.1);
      const bias = Float32Array.from(named['params.bias'].dataSync());
      bias.fill(60, 0, 2);
      bias.fill(-60, 2, 4);
      bias.fill(-60, 4, 6);
      bias.fill(60, 6, 8);
      const params = {
        kernel: named['params.kernel'],
        recurrentKernel: named['params.recurrentKernel'],
        bias: tf.tensor1d(bias),
      };
      const state = { h: named['carry.h'], c: named['carry.c'], n: named['carry.n'], m: named['carry.m'] };
      for (const forgetGate of ['sigmoid', 'exponential'] as const) {
        const cell = slstm({ ...BASE, forgetGate }) as unknown as AnyXlstm;
        checkSequenceAgainstSteps(cell, params, named.xs as tf.Tensor3D, state, {}, 4, ['h', 'c', 'n', 'm']);
      }
      tf.dispose([named, params] as tf.TensorContainer[]);
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
      [{ inputSize: 3, units: 4, unitz: 1 }, /slstm config\.unitz: expected one of the known fields/],
    ])('should reject %o with a RecurError naming the field', (config, message) => {
      expect(() => slstm(config as never)).toThrow(RecurError);
      expect(() => slstm(config as never)).toThrow(message);
    });

    it('should have a sequence form (the fused kernel) that scan runs', () => {
      expect(typeof slstm(BASE).sequence).toBe('function');
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
