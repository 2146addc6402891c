import { type CellConfig, elman, gru, jordan, lstm } from '@recur/cells';
import { type Carry, type Cell, type Params, Rng, scan } from '@recur/core';
import { checkLeaks, describeBackends, expectClose } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { build } from './support/fixtures.js';

const FUSED: readonly CellConfig[] = [
  { kind: 'elman', inputSize: 3, units: 4, activation: 'relu' },
  { kind: 'lstm', inputSize: 3, units: 4, recurrentActivation: 'hard_sigmoid' },
  { kind: 'gru', inputSize: 3, units: 4, resetAfter: true },
  { kind: 'gru', inputSize: 3, units: 4, resetAfter: false },
];

const tol = { rtol: 1e-5, atol: 1e-6 };

/** Random values in [−scale, scale]. The caller owns the tensor. */
function uniform(shape: number[], rng: Rng, scale = 1): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from({ length: size }, () => (2 * rng.uniform() - 1) * scale),
    shape,
  );
}

describeBackends('cell sequence forms', () => {
  checkLeaks();

  describe('which configs have one', () => {
    it.each([
      ['elman without bias', elman({ inputSize: 3, units: 4, useBias: false })],
      ['elman swish', elman({ inputSize: 3, units: 4, activation: 'swish' })],
      ['gru without bias', gru({ inputSize: 3, units: 4, useBias: false })],
      ['gru gelu', gru({ inputSize: 3, units: 4, recurrentActivation: 'gelu' })],
      ['lstm peephole', lstm({ inputSize: 3, units: 4, peephole: true })],
      ['lstm cifg', lstm({ inputSize: 3, units: 4, cifg: true })],
      ['lstm projection', lstm({ inputSize: 3, units: 4, projSize: 2 })],
      ['lstm layer norm', lstm({ inputSize: 3, units: 4, layerNorm: true })],
      ['lstm without bias', lstm({ inputSize: 3, units: 4, useBias: false })],
      ['lstm swish', lstm({ inputSize: 3, units: 4, activation: 'swish' })],
      ['jordan', jordan({ inputSize: 3, units: 4, outputSize: 2 })],
    ] as const)('should have none when the fused kernel does not compute the config: %s', (_name, cell) => {
      expect((cell as Cell).sequence).toBeUndefined();
      expect(typeof (cell as Cell).checkParams).toBe('function');
    });

    it.each(FUSED)('should have one for $kind ($resetAfter)', (config) => {
      expect(typeof build(config).stepper.sequence).toBe('function');
    });
  });

  describe.each(FUSED)('$kind (resetAfter $resetAfter)', (config) => {
    const { stepper: cell } = build(config);
    const stepped: Cell<Carry, Params, unknown> = { ...cell, sequence: undefined };
    delete (stepped as { sequence?: unknown }).sequence;

    it.each([
      ['forward, maskedOutput previous', false, 'previous'],
      ['reverse, maskedOutput zeros', true, 'zeros'],
      ['reverse, maskedOutput previous', true, 'previous'],
    ] as const)(
      'should equal stepping the cell, with holes in the mask and an initial state: %s',
      (_n, reverse, maskedOutput) => {
        const rng = new Rng(7);
        const params = cell.init(rng);
        const xs = uniform([3, 5, 3], rng) as tf.Tensor3D;
        const zero = cell.initCarry(3);
        const initialState = Object.fromEntries(
          Object.entries(zero).map(([k, v]) => [k, uniform(v.shape, rng, 0.5)]),
        ) as Carry;
        const mask = tf.tensor2d([
          [0, 1, 1, 0, 1],
          [1, 1, 0, 0, 0],
          [0, 0, 1, 1, 0],
        ]);
        const options = { mask, reverse, maskedOutput, initialState };
        const fused = scan(cell, params, xs, options);
        const byStep = scan(stepped, params, xs, options);
        expectClose(fused.outputs, byStep.outputs, tol);
        for (const key of Object.keys(zero)) {
          expectClose(fused.state?.[key] as tf.Tensor, byStep.state?.[key] as tf.Tensor, tol);
        }
        tf.dispose([params, xs, zero, initialState, mask, fused, byStep] as tf.TensorContainer[]);
      },
    );
  });

  describe('params', () => {
    it('should be checked once per scan, not again at every step', () => {
      const cell = jordan({ inputSize: 3, units: 4, outputSize: 2 });
      const params = cell.init(new Rng(1));
      let reads = 0;
      // step reads outputKernel once; a params check per step would read it once more.
      const counted = new Proxy(params, {
        get(target, key, receiver) {
          if (key === 'outputKernel') reads++;
          return Reflect.get(target, key, receiver);
        },
      });
      const readsOver = (time: number) => {
        const xs = tf.zeros([2, time, 3]) as tf.Tensor3D;
        reads = 0;
        tf.dispose(scan(cell, counted, xs) as unknown as tf.TensorContainer);
        xs.dispose();
        return reads;
      };
      expect(readsOver(10) - readsOver(5)).toBe(5);
      tf.dispose(params as unknown as tf.TensorContainer);
    });

    it('should be checked by a direct step call with a params record not seen before', () => {
      const cell = jordan({ inputSize: 3, units: 4, outputSize: 2 });
      const params = cell.init(new Rng(1));
      const bad = tf.zeros([4, 3]);
      const carry = cell.initCarry(2);
      const x = tf.zeros([2, 3]) as tf.Tensor2D;
      expect(() => cell.step({ ...params, outputKernel: bad as tf.Tensor2D }, carry, x)).toThrow(
        /^jordan step params\.outputKernel: expected a float32 tensor of shape \[4, 2\]/,
      );
      tf.dispose([params, bad, carry, x] as tf.TensorContainer[]);
    });

    it('should be checked once by scan, naming the param, before the kernel runs', () => {
      const cell = lstm({ inputSize: 3, units: 4 });
      const params = cell.init(new Rng(1));
      const xs = tf.zeros([2, 5, 3]) as tf.Tensor3D;
      const bad = tf.zeros([3, 8]);
      expect(() => scan(cell, { ...params, kernel: bad as tf.Tensor2D }, xs)).toThrow(
        /^lstm step params\.kernel: expected a float32 tensor of shape \[3, 16\], received a float32 tensor of shape \[3, 8\]$/,
      );
      tf.dispose([params, xs, bad] as tf.TensorContainer[]);
    });
  });
});
