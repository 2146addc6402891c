import {
  adamUpdate,
  hasFusedKernel,
  RecurAdamUpdate,
  type RecurAdamUpdateAttrs,
  RecurError,
  runKernel,
} from '@recur/core';
import { checkLeaks, describeBackends } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { withReferenceKernels } from './kernels-cases.js';

/** Float32 values as bit patterns: equal only if bit-identical. */
function bits(t: tf.Tensor): number[] {
  return Array.from(new Uint32Array(Float32Array.from(t.dataSync()).buffer));
}

const ADAM: RecurAdamUpdateAttrs = { learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, weightDecay: 0 };

/** Inputs mid-training for a variable of `shape`: gradients over many binary orders, moments of a few steps. */
function inputs(shape: number[], seed: number) {
  return tf.tidy(() => ({
    value: tf.randomUniform(shape, -1, 1, 'float32', seed),
    gradient: tf.mul(tf.randomUniform(shape, -1, 1, 'float32', seed + 1), tf.exp(tf.randomUniform(shape, -9, 5))),
    m: tf.randomUniform(shape, -0.1, 0.1, 'float32', seed + 2),
    v: tf.randomUniform(shape, 0, 0.01, 'float32', seed + 3),
    beta1Power: tf.scalar(0.9 ** 3),
    beta2Power: tf.scalar(0.999 ** 3),
  }));
}

function outputBits(given: ReturnType<typeof inputs>, attrs: RecurAdamUpdateAttrs): number[][] {
  return tf.tidy(() => {
    const out = runKernel(adamUpdate, given, attrs);
    return [out.newValue, out.newM, out.newV].map(bits);
  });
}

describeBackends('RecurAdamUpdate', () => {
  checkLeaks();

  it('should be fused on cpu and wasm, and equal the reference bit for bit on every shape and setting', () => {
    if (['cpu', 'wasm'].includes(tf.getBackend())) expect(hasFusedKernel(adamUpdate)).toBe(true);
    const settings: RecurAdamUpdateAttrs[] = [
      ADAM,
      { learningRate: 0.3, beta1: 0, beta2: 0.9, epsilon: 1e-3, weightDecay: 0 },
      { learningRate: 0.02, beta1: 0.8, beta2: 0.99, epsilon: 1e-8, weightDecay: 0.25 },
    ];
    // Sizes below, at and past the four-lane SIMD groups, and a scalar.
    for (const [k, shape] of [[], [3], [4], [9], [5, 7], [2, 3, 11]].entries()) {
      const given = inputs(shape, 10 * k);
      for (const attrs of settings) {
        expect(outputBits(given, attrs)).toEqual(withReferenceKernels(() => outputBits(given, attrs)));
      }
      tf.dispose(Object.values(given));
    }
  });

  it('should follow Adam’s equations, with AdamW’s decay first (float64 within float32 rounding)', () => {
    const given = inputs([6], 3);
    const [value, g, m, v] = [given.value, given.gradient, given.m, given.v].map((t) => Array.from(t.dataSync())) as [
      number[],
      number[],
      number[],
      number[],
    ];
    const attrs = { ...ADAM, weightDecay: 0.5 };
    const out = runKernel(adamUpdate, given, attrs);
    const newM = m.map((mi, i) => 0.9 * (mi as number) + 0.1 * (g[i] as number));
    const newV = v.map((vi, i) => 0.999 * (vi as number) + 0.001 * (g[i] as number) ** 2);
    const c1 = 1 - Math.fround(0.9 ** 3);
    const c2 = 1 - Math.fround(0.999 ** 3);
    const newValue = value.map(
      (x, i) =>
        (x as number) * (1 - 0.01 * 0.5) -
        (0.01 * ((newM[i] as number) / c1)) / (Math.sqrt((newV[i] as number) / c2) + 1e-7),
    );
    for (const [t, expected] of [
      [out.newValue, newValue],
      [out.newM, newM],
      [out.newV, newV],
    ] as const) {
      for (const [i, x] of Array.from(t.dataSync()).entries()) expect(x).toBeCloseTo(expected[i] as number, 5);
    }
    tf.dispose([...Object.values(given), out.newValue, out.newM, out.newV]);
  });

  it('should refuse inputs and attributes that do not fit, naming them', () => {
    const given = inputs([2, 3], 1);
    const refuse = (changed: object, attrs: object, code: string, pattern: RegExp) => {
      const call = () => runKernel(adamUpdate, { ...given, ...changed } as never, { ...ADAM, ...attrs });
      expect(call).toThrow(RecurError);
      expect(call).toThrow(pattern);
      try {
        call();
      } catch (error) {
        expect((error as RecurError).code).toBe(code);
      }
    };
    const [wrong, ints, vector] = [tf.zeros([3, 2]), tf.zeros([2, 3], 'int32'), tf.zeros([1])];
    refuse({ m: wrong }, {}, 'SHAPE_MISMATCH', /RecurAdamUpdate input 'm': expected .*shape \[2, 3\]/);
    refuse({ gradient: ints }, {}, 'BAD_DATA', /input 'gradient'.*float32.*int32/);
    refuse({ value: ints }, {}, 'BAD_DATA', /input 'value'/);
    refuse({ beta2Power: vector }, {}, 'SHAPE_MISMATCH', /input 'beta2Power': expected a float32 tensor of rank 0/);
    refuse({ v: undefined }, {}, 'BAD_DATA', /input 'v'/);
    refuse({}, { beta2: 1 }, 'BAD_CONFIG', /attribute 'beta2': expected a number in \[0, 1\), received 1/);
    refuse({}, { learningRate: Number.NaN }, 'BAD_CONFIG', /attribute 'learningRate'/);
    refuse({}, { weightDecay: -0.1 }, 'BAD_CONFIG', /attribute 'weightDecay': expected a finite number ≥ 0/);
    refuse({}, { epsilon: undefined }, 'BAD_CONFIG', /attribute 'epsilon'/);
    // The fused kernels check shapes themselves too: tfjs' runKernel skips the descriptor's checks.
    if (hasFusedKernel(adamUpdate)) {
      const call = () => tf.tidy(() => tf.engine().runKernel(RecurAdamUpdate, { ...given, v: wrong }, { ...ADAM }));
      expect(call).toThrow(RecurError);
      expect(call).toThrow(/input 'v'.*shape \[2, 3\]/);
    }
    tf.dispose([...Object.values(given), wrong, ints, vector]);
  });
});
