import { RecurError, RecurSumOfSquares, sumOfSquares } from '@recur/core';
import { checkLeaks, describeBackends, expectClose } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';

/** Runs `fn` with the backend's fused `RecurSumOfSquares` unregistered, so tfjs ops compute it. */
function withReference<T>(fn: () => T): T {
  const fused = tf.getKernel(RecurSumOfSquares, tf.getBackend());
  if (fused != null) tf.unregisterKernel(RecurSumOfSquares, tf.getBackend());
  try {
    return fn();
  } finally {
    if (fused != null) tf.registerKernel(fused);
  }
}

function squares(tensors: tf.Tensor[]): number {
  const sum = sumOfSquares(tensors);
  const value = sum.dataSync()[0] as number;
  expect(sum.shape).toEqual([]);
  sum.dispose();
  return value;
}

/** Gradients of a few sizes (below, at and past the four-lane groups) over many binary orders. */
function gradients(seed: number): tf.Tensor[] {
  return tf.tidy(() =>
    [[1], [3], [4], [9], [5, 7], [2, 3, 11], [1000]].map((shape, i) =>
      tf.mul(
        tf.randomUniform(shape, -1, 1, 'float32', seed + i),
        tf.exp(tf.randomUniform(shape, -9, 5, 'float32', seed)),
      ),
    ),
  );
}

describeBackends('RecurSumOfSquares', () => {
  checkLeaks();

  it('should be fused on cpu and wasm and equal tfjs ops (bit for bit on cpu)', () => {
    if (['cpu', 'wasm'].includes(tf.getBackend()))
      expect(tf.getKernel(RecurSumOfSquares, tf.getBackend())).toBeDefined();
    for (const seed of [1, 20, 300]) {
      const grads = gradients(seed);
      for (const list of [grads, grads.slice(0, 1), grads.slice(3)]) {
        const fused = squares(list);
        const reference = withReference(() => squares(list));
        if (tf.getBackend() === 'cpu') expect(fused).toBe(reference);
        expectClose(fused, reference, { rtol: 1e-6, atol: 0 });
      }
      tf.dispose(grads);
    }
  });

  it('should equal Σx² in float64 within float32 rounding', () => {
    const grads = gradients(7);
    const expected = grads.reduce((acc, g) => acc + Array.from(g.dataSync()).reduce((s, x) => s + x * x, 0), 0);
    expectClose(squares(grads), expected, { rtol: 1e-6, atol: 0 });
    tf.dispose(grads);
  });

  it('should give 0 for no tensors, and carry NaN and ∞ through', () => {
    expect(squares([])).toBe(0);
    const finite = tf.ones([6]);
    const nan = tf.tensor1d([1, Number.NaN, 2, 3, 4]);
    const inf = tf.tensor1d([1, 2, Number.NEGATIVE_INFINITY]);
    expect(squares([finite, nan])).toBeNaN();
    expect(squares([inf, finite])).toBe(Number.POSITIVE_INFINITY);
    tf.dispose([finite, nan, inf]);
  });

  it('should refuse anything but a list of float32 tensors, naming the entry', () => {
    const ok = tf.ones([2]);
    const ints = tf.ones([2], 'int32');
    expect(() => sumOfSquares([ok, ints])).toThrow(RecurError);
    expect(() => sumOfSquares([ok, ints])).toThrow(
      /sumOfSquares tensors\[1\]: expected a float32 tensor, received 'dtype int32'/,
    );
    expect(() => sumOfSquares(ok as unknown as tf.Tensor[])).toThrow(
      /sumOfSquares tensors: expected an array of tensors/,
    );
    expect(() => sumOfSquares([ok, 3 as unknown as tf.Tensor])).toThrow(/sumOfSquares tensors\[1\]/);
    tf.dispose([ok, ints]);
  });
});
