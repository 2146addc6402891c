import { type MlstmConfig, mlstm } from '@recur/cells';
import { type Carry, type Params, RecurError, Rng } from '@recur/core';
import { checkLeaks, describeBackends } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { type AnyXlstm, checkSequenceAgainstSteps, checkStepAgainstReference, uniform } from './support/xlstm-check.js';
import { mlstmRefStep } from './support/xlstm-reference.js';

const BASE = { inputSize: 3, units: 4, heads: 2, keySize: 3 } as const;
const WIDTH = 2 * 2 * 3 + 2 * 4 + 2 * 2;

/** Random params and state keyed as the checks expect (m ∈ [−1, 1], so exp(−m) matters). */
function inputs(rng: Rng, batch: number, time: number, scale = 1) {
  return {
    'params.kernel': uniform([BASE.inputSize, WIDTH], rng, -scale, scale),
    'params.bias': uniform([WIDTH], rng, -scale, scale),
    'carry.h': uniform([batch, 4], rng),
    'carry.C': uniform([batch, 2, 3, 2], rng),
    'carry.n': uniform([batch, 2, 3], rng),
    'carry.m': uniform([batch, 2], rng),
    xs: uniform([batch, time, BASE.inputSize], rng),
  };
}

function asCell(config: MlstmConfig): AnyXlstm {
  return mlstm(config) as unknown as AnyXlstm;
}

describeBackends('mlstm', () => {
  checkLeaks();

  describe('step', () => {
    it.each(['sigmoid', 'exponential'] as const)(
      'should match the float64 reference of eqs. (19)–(26) with the A.3 stabiliser, values and gradients: forget %s',
      (forgetGate) => {
        const cfg = { ...BASE, forgetGate };
        const named = inputs(new Rng(21), 2, 3);
        // The step reads no h: the memory alone carries the past.
        checkStepAgainstReference(asCell(cfg), mlstmRefStep, cfg, named, 22, ['carry.h']);
        tf.dispose(named);
      },
    );

    it.each([
      [60, -60],
      [-60, 60],
      [60, 60],
      [-60, -60],
    ])('should stay finite and match the reference with gate pre-activations ĩ = %d, f̃ = %d', (iPre, fPre) => {
      for (const forgetGate of ['sigmoid', 'exponential'] as const) {
        const cfg = { ...BASE, forgetGate };
        const named = inputs(new Rng(7), 2, 3, 0.1);
        const bias = Float32Array.from(named['params.bias'].dataSync());
        bias.fill(iPre, WIDTH - 4, WIDTH - 2);
        bias.fill(fPre, WIDTH - 2, WIDTH);
        named['params.bias'].dispose();
        const withBias = { ...named, 'params.bias': tf.tensor1d(bias) };
        checkStepAgainstReference(asCell(cfg), mlstmRefStep, cfg, withBias, 8, ['carry.h']);
        tf.dispose(withBias);
      }
    });
  });

  describe('sequence', () => {
    const forms: [string, Partial<MlstmConfig>][] = [
      ['quadratic', { parallel: 'quadratic' }],
      ['chunkwise, chunk 3', { parallel: 'chunkwise', chunkSize: 3 }],
      ['chunkwise, chunk 1', { parallel: 'chunkwise', chunkSize: 1 }],
      ['chunkwise, exponential forget, chunk 2', { parallel: 'chunkwise', chunkSize: 2, forgetGate: 'exponential' }],
    ];
    const cases = [
      ['T = 7, masked, forward, previous', 7, true, false, 'previous'],
      ['T = 7, masked, reverse, zeros', 7, true, true, 'zeros'],
      ['T = 7, masked, reverse, previous', 7, true, true, 'previous'],
      ['T = 5, unmasked, reverse', 5, false, true, 'previous'],
      ['T = 1, masked', 1, true, false, 'zeros'],
    ] as const;
    describe.each(forms)('%s', (_form, extra) => {
      it.each(cases)(
        'should equal stepping the cell from an initial state (values 1e-5, gradients 1e-4): %s',
        (_name, time, masked, reverse, maskedOutput) => {
          const cell = asCell({ ...BASE, ...extra });
          const rng = new Rng(31 + time);
          const named = inputs(rng, 3, time);
          const params: Params = { kernel: named['params.kernel'], bias: named['params.bias'] };
          const state: Carry = { h: named['carry.h'], C: named['carry.C'], n: named['carry.n'], m: named['carry.m'] };
          const rows = [
            [0, 1, 1, 0, 1, 1, 0],
            [1, 1, 0, 0, 0, 0, 0],
            [0, 0, 0, 0, 0, 0, 0],
          ].map((r) => r.slice(0, time));
          if (time === 1) rows[0] = [1];
          const mask = masked ? tf.tensor2d(rows) : undefined;
          checkSequenceAgainstSteps(
            cell,
            params,
            named.xs as tf.Tensor3D,
            state,
            { reverse, keepOrder: true, maskedOutput, ...(mask === undefined ? {} : { mask }) },
            time,
            // h0 shows only where a padded step has no real one before it.
            masked ? [] : ['h'],
          );
          tf.dispose([named, mask] as tf.TensorContainer[]);
        },
      );
    });

    it('should agree between chunk sizes at pre-activations of ±60 (stabilised decay matrix)', () => {
      const rng = new Rng(4);
      const named = inputs(rng, 2, 6, 0.1);
      const bias = Float32Array.from(named['params.bias'].dataSync());
      bias.fill(60, WIDTH - 4, WIDTH - 3);
      bias.fill(-60, WIDTH - 3, WIDTH - 2);
      bias.fill(-60, WIDTH - 2, WIDTH - 1);
      bias.fill(60, WIDTH - 1, WIDTH);
      const params: Params = { kernel: named['params.kernel'], bias: tf.tensor1d(bias) };
      const state: Carry = { h: named['carry.h'], C: named['carry.C'], n: named['carry.n'], m: named['carry.m'] };
      checkSequenceAgainstSteps(asCell({ ...BASE, chunkSize: 4 }), params, named.xs as tf.Tensor3D, state, {}, 9, [
        'h',
      ]);
      tf.dispose([named, params] as tf.TensorContainer[]);
    });
  });

  describe('memory', () => {
    /** Peak bytes of tensors while one chunkwise training gradient of Σ ys runs, at `time` steps of chunk 4. */
    async function peakBytes(time: number): Promise<number> {
      const cell = mlstm({ ...BASE, chunkSize: 4 });
      const params = cell.init(new Rng(3));
      const carry = cell.initCarry(2);
      const xs = uniform([2, time, BASE.inputSize], new Rng(4)) as tf.Tensor3D;
      const info = await tf.profile(() => {
        const grads = tf.grads((kernel: tf.Tensor) =>
          tf.sum(
            cell.sequence!({ ...params, kernel: kernel as tf.Tensor2D }, xs, carry, {
              reverse: false,
              maskedOutput: 'zeros',
            }).ys,
          ),
        )([params.kernel]);
        tf.dispose(grads);
      });
      tf.dispose([params, carry, xs] as tf.TensorContainer[]);
      return info.peakBytes;
    }

    it('should hold memory linear in T through the gradient (one split per input, not a slice per chunk)', async () => {
      // A slice per chunk made each chunk's input gradient a pad to the whole sequence, all
      // alive until the backward pass ends: quadratic in T (ratio 2.61 from T = 32 to 64 here, 2.01 since), 5 GB at W4's
      // T = 2048, past the wasm heap's 4 GiB. Linear: the ratio stays near 2.
      const [short, long] = [await peakBytes(32), await peakBytes(64)];
      expect(long / short).toBeLessThan(2.3);
    });
  });

  describe('config', () => {
    it.each([
      [{ inputSize: 3, units: 4, heads: 3 }, /mlstm config\.heads: expected a divisor of units \(4\)/],
      [{ inputSize: 3, units: 4, chunkSize: 0 }, /mlstm config\.chunkSize/],
      [{ inputSize: 3, units: 4, parallel: 'log' }, /mlstm config\.parallel/],
      [{ inputSize: 3, units: 4, keySize: 1.5 }, /mlstm config\.keySize/],
      [{ inputSize: 3, units: 4, forgetGate: 'relu' }, /mlstm config\.forgetGate/],
    ])('should reject %o with a RecurError naming the field', (config, message) => {
      expect(() => mlstm(config as never)).toThrow(RecurError);
      expect(() => mlstm(config as never)).toThrow(message);
    });

    it('should reject a carry of the wrong rank with a RecurError naming the entry', () => {
      const cell = mlstm(BASE);
      const params = cell.init(new Rng(1));
      const carry = cell.initCarry(2);
      const bad = tf.zeros([2, 6]);
      const x = tf.zeros([2, 3]) as tf.Tensor2D;
      expect(() => cell.step(params, { ...carry, C: bad as never }, x)).toThrow(
        /^mlstm step carry\.C: expected a float32 tensor of shape \[2, 2, 3, 2\]/,
      );
      tf.dispose([params, carry, bad, x] as tf.TensorContainer[]);
    });
  });
});
