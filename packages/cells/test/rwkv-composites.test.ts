import type { RwkvCarry, RwkvParams } from '@recur/cells';
import { Rng } from '@recur/core';
import { checkLeaks, describeBackends, expectClose } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { channelMixGate } from '../src/internal/channel-mix-gate.js';
import { tokenShift } from '../src/internal/last-real.js';
import { layerNorm } from '../src/internal/layer-norm.js';
import { receptanceGate } from '../src/internal/receptance-gate.js';
import { reshapeUnsaved } from '../src/internal/reshape-unsaved.js';
import { residualAdd } from '../src/internal/residual-add.js';
import { tokenMix } from '../src/internal/token-mix.js';
import { randomTensor } from './support/fixtures.js';
import {
  plainChannelGate,
  plainLayerNorm,
  plainMix,
  plainRwkvSequence,
  plainTokenShift,
} from './support/rwkv-autodiff.js';
import { warmRwkv } from './support/rwkv-setup.js';

/** The composites' gradients against autodiff through the plain ops: float rounding apart. */
const GRADS = { rtol: 1e-5, atol: 1e-6 };

type Op = (...inputs: tf.Tensor[]) => tf.Tensor;

function expectGradsClose(actual: number[][], expected: number[][]): void {
  expect(actual.length).toBe(expected.length);
  for (const [i, g] of actual.entries()) expectClose(g, expected[i] as number[], GRADS);
}

/**
 * `op` and `plain` on the same inputs: their outputs as arrays, and the gradients of
 * Σ out ⊙ probe with respect to every input.
 */
function valuesAndGrads(op: Op, inputs: tf.Tensor[], probe: tf.Tensor) {
  return tf.tidy(() => {
    const value = Array.from(op(...inputs).dataSync());
    const grads = tf.grads((...ts: tf.Tensor[]) => tf.sum(tf.mul(op(...ts), probe)))(inputs);
    return { value, grads: grads.map((g) => Array.from(g.dataSync())) };
  });
}

function expectSameOp(ours: Op, plain: Op, shapes: number[][], outShape: number[], seed: number) {
  const rng = new Rng(seed);
  // Offsets off zero: layer norm's rows then have a mean to remove, relu both signs.
  const inputs = shapes.map((s) => tf.tidy(() => tf.add(randomTensor(s, rng, 2), 0.3)));
  const probe = randomTensor(outShape, rng);
  const a = valuesAndGrads(ours, inputs, probe);
  const b = valuesAndGrads(plain, inputs, probe);
  expect(a.value).toEqual(b.value);
  expectGradsClose(a.grads, b.grads);
  tf.dispose([...inputs, probe]);
}

describeBackends('rwkv composites', () => {
  checkLeaks();

  it.each([
    ['[B, T, C]', [2, 5, 6]],
    ['[B, C] (a step, and the LSTM option)', [3, 7]],
  ])('layer norm should equal the plain ops, forward bit for bit, gradients within 1e-5: %s', (_n, shape) => {
    const c = shape[shape.length - 1] as number;
    const ln = (eps: number) =>
      [
        (z: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => layerNorm(z, g, b, eps),
        (z: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => plainLayerNorm(z, g, b, eps),
      ] as const;
    for (const [i, eps] of [1e-5, 1e-3].entries()) {
      const [ours, plain] = ln(eps);
      expectSameOp(ours, plain, [shape, [c], [c]], shape, 10 + i);
    }
  });

  it('token mix should equal μ ⊙ x + (1 − μ) ⊙ shifted in plain ops (eqs. 11–15)', () => {
    expectSameOp(tokenMix, plainMix, [[2, 5, 6], [2, 5, 6], [6]], [2, 5, 6], 20);
    expectSameOp(tokenMix, plainMix, [[3, 6], [3, 6], [6]], [3, 6], 21);
  });

  it('the receptance gate should equal σ(r) ⊙ x in plain ops (eq. 17)', () => {
    const plain = (r: tf.Tensor, x: tf.Tensor) => tf.mul(tf.sigmoid(r), x);
    expectSameOp(
      receptanceGate,
      plain,
      [
        [2, 5, 6],
        [2, 5, 6],
      ],
      [2, 5, 6],
      30,
    );
  });

  it('the channel-mixing gate should equal σ(r) ⊙ (relu(k)²·W) in plain ops (eq. 18)', () => {
    const ours = (r: tf.Tensor, k: tf.Tensor, w: tf.Tensor) => channelMixGate(r, k, w as tf.Tensor2D);
    expectSameOp(
      ours,
      plainChannelGate,
      [
        [2, 5, 6],
        [2, 5, 9],
        [9, 6],
      ],
      [2, 5, 6],
      40,
    );
    expectSameOp(
      ours,
      plainChannelGate,
      [
        [3, 6],
        [3, 9],
        [9, 6],
      ],
      [3, 6],
      41,
    );
  });

  it('the residual add and the unsaved reshape should pass gradients as tf.add and tf.reshape do', () => {
    expectSameOp(
      residualAdd,
      tf.add,
      [
        [2, 5, 6],
        [2, 5, 6],
      ],
      [2, 5, 6],
      50,
    );
    const ours = (x: tf.Tensor) => reshapeUnsaved(x, [-1, 6]);
    expectSameOp(ours, (x) => tf.reshape(x, [-1, 6]), [[2, 5, 6]], [10, 6], 51);
  });

  it.each([
    ['forward', 5, false],
    ['reversed', 5, true],
    ['T = 1', 1, false],
    ['T = 1, reversed', 1, true],
  ])('the unmasked token shift should equal the clone, slice and concat it replaces: %s', (_n, time, reverse) => {
    const pair = (f: typeof tokenShift) => (x: tf.Tensor, p: tf.Tensor) => {
      const { shifted, last } = f(x as tf.Tensor3D, p as tf.Tensor2D, undefined, reverse);
      // One output for the harness: the last step rides along as one more step.
      return tf.concat([shifted, tf.expandDims(last, 1)], 1);
    };
    expectSameOp(
      pair(tokenShift),
      pair(plainTokenShift),
      [
        [2, time, 6],
        [2, 6],
      ],
      [2, time + 1, 6],
      60 + time,
    );
  });
});

const ROWS = [
  [0, 1, 1, 0, 1, 1, 0],
  [1, 1, 0, 0, 0, 1, 1],
  [0, 0, 0, 0, 0, 0, 0],
];

describeBackends('rwkv sequence form against plain-op autodiff', () => {
  checkLeaks();

  it.each([
    ['no mask, input projection', 6, false, 'zeros', false, 3],
    ['no mask, reversed', 6, true, 'previous', false, 4],
    ['T = 1', 1, false, 'previous', false, 3],
    ['T odd, holes in the mask, previous at padding', 7, false, 'previous', true, 4],
    ['T odd, reversed, holes in the mask, zeros at padding', 7, true, 'zeros', true, 3],
  ] as const)(
    'should give the same outputs and carry bit for bit, and gradients within 1e-5: %s',
    (_n, time, reverse, maskedOutput, masked, inputSize) => {
      const batch = 3;
      const { cell, params, carry, rng } = warmRwkv(7, { inputSize, batch });
      const xs = randomTensor<tf.Rank.R3>([batch, time, inputSize], rng);
      const mask = masked ? tf.tensor2d(ROWS.map((row) => row.slice(0, time))) : undefined;
      const options = { reverse, maskedOutput, ...(mask ? { mask } : {}) };
      const probes = [
        randomTensor([batch, time, 4], rng),
        ...['att', 'num', 'den', 'ffn'].map(() => randomTensor([batch, 4], rng)),
      ];
      const names = Object.keys(params);
      const carryNames = Object.keys(carry) as (keyof RwkvCarry)[];
      const run = (f: typeof plainRwkvSequence) =>
        tf.tidy(() => {
          const split = (ts: tf.Tensor[]) => ({
            p: Object.fromEntries(names.map((n, i) => [n, ts[i]])) as RwkvParams,
            c: Object.fromEntries(carryNames.map((n, i) => [n, ts[names.length + 1 + i]])) as RwkvCarry,
            x: ts[names.length] as tf.Tensor3D,
          });
          const loss = (...ts: tf.Tensor[]) => {
            const { p, c, x } = split(ts);
            const out = f(p, x, c, options, 1e-5);
            const parts = [out.ys, out.carry.att, out.carry.num, out.carry.den, out.carry.ffn];
            return tf.addN(parts.map((t, i) => tf.sum(tf.mul(t, probes[i] as tf.Tensor)))) as tf.Scalar;
          };
          const all = [...names.map((n) => params[n] as tf.Tensor), xs, ...carryNames.map((n) => carry[n])];
          const out = f(params, xs, carry, options, 1e-5);
          const values = [out.ys, ...carryNames.map((n) => out.carry[n])].map((t) => Array.from(t.dataSync()));
          return {
            values,
            grads: tf
              .grads(loss)(all)
              .map((g) => Array.from(g.dataSync())),
          };
        });
      const ours = run((p, x, c, o) => cell.sequence!(p, x, c, o));
      const plain = run(plainRwkvSequence);
      expect(ours.values).toEqual(plain.values);
      expectGradsClose(ours.grads, plain.grads);
      tf.dispose([...Object.values(params), ...Object.values(carry), xs, ...probes, ...(mask ? [mask] : [])]);
    },
  );
});
