import { checkLeaks, describeBackends, expectClose } from '@recur/test-utils';
import { makeOptimizer, setLearningRate } from '@recur/train';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

/** PyTorch's AdamW in float64: θ ← θ(1 − ηλ), then Adam's bias-corrected step. */
function referenceAdamW(
  theta: number[],
  grads: readonly number[][],
  o: { lr: number; beta1: number; beta2: number; eps: number; weightDecay: number },
): number[] {
  const m = theta.map(() => 0);
  const v = theta.map(() => 0);
  const out = [...theta];
  grads.forEach((g, step) => {
    const t = step + 1;
    for (let i = 0; i < out.length; i++) {
      const gi = g[i] as number;
      out[i] = (out[i] as number) * (1 - o.lr * o.weightDecay);
      m[i] = o.beta1 * (m[i] as number) + (1 - o.beta1) * gi;
      v[i] = o.beta2 * (v[i] as number) + (1 - o.beta2) * gi * gi;
      const mHat = (m[i] as number) / (1 - o.beta1 ** t);
      const vHat = (v[i] as number) / (1 - o.beta2 ** t);
      out[i] = (out[i] as number) - (o.lr * mHat) / (Math.sqrt(vHat) + o.eps);
    }
  });
  return out;
}

/** Applies `grads` step by step to a variable starting at `theta`; returns its final values. */
function run(config: Parameters<typeof makeOptimizer>[0], theta: number[], grads: readonly number[][]): number[] {
  const initial = tf.tensor1d(theta);
  const variable = tf.variable(initial);
  initial.dispose();
  const optimizer = makeOptimizer(config);
  try {
    for (const g of grads) {
      const grad = tf.tensor1d(g);
      optimizer.applyGradients({ [variable.name]: grad });
      grad.dispose();
    }
    return Array.from(variable.dataSync());
  } finally {
    optimizer.dispose();
    variable.dispose();
  }
}

const THETA = [1.5, -0.75, 0.25, 2];
const GRADS = [
  [0.3, -0.2, 0.05, 1],
  [-0.1, 0.4, 0.2, 0.5],
  [0.25, 0.1, -0.3, -0.2],
  [0.05, -0.05, 0.1, 0.3],
];

describeBackends('AdamW', () => {
  checkLeaks();

  it('should match a float64 AdamW (PyTorch formula) step for step', () => {
    const o = { lr: 0.05, beta1: 0.9, beta2: 0.99, eps: 1e-7, weightDecay: 0.1 };
    const got = run(
      { kind: 'adamw', learningRate: o.lr, beta1: o.beta1, beta2: o.beta2, epsilon: o.eps, weightDecay: o.weightDecay },
      THETA,
      GRADS,
    );
    expectClose(got, referenceAdamW(THETA, GRADS, o), { atol: 1e-5, rtol: 1e-5 });
  });

  it('should shrink weights by (1 − ηλ) per step when the gradient is zero', () => {
    const zeros = [0, 0, 0].map(() => THETA.map(() => 0));
    const got = run({ kind: 'adamw', learningRate: 0.1, weightDecay: 0.5 }, THETA, zeros);
    expectClose(
      got,
      THETA.map((x) => x * 0.95 ** 3),
      { atol: 1e-6, rtol: 1e-6 },
    );
  });

  it('should equal Adam bit for bit with weight decay 0', () => {
    const adam = run({ kind: 'adam', learningRate: 0.02 }, THETA, GRADS);
    const adamw = run({ kind: 'adamw', learningRate: 0.02, weightDecay: 0 }, THETA, GRADS);
    expect(adamw).toEqual(adam);
  });

  it('should scale the decay by the learning rate a schedule sets', () => {
    const initial = tf.tensor1d([2]);
    const variable = tf.variable(initial);
    const optimizer = makeOptimizer({ kind: 'adamw', learningRate: 1, weightDecay: 0.5 });
    setLearningRate(optimizer, 0.2);
    const zero = tf.tensor1d([0]);
    optimizer.applyGradients({ [variable.name]: zero });
    expect(variable.dataSync()[0]).toBeCloseTo(2 * 0.9, 6);
    tf.dispose([initial, zero, variable]);
    optimizer.dispose();
  });
});

describe('AdamW config', () => {
  it('should refuse a negative or non-finite weight decay and unknown fields, naming them', () => {
    expect(() => makeOptimizer({ kind: 'adamw', weightDecay: -0.1 })).toThrow(
      /optimizer.weightDecay: expected a finite number ≥ 0, received -0.1/,
    );
    expect(() => makeOptimizer({ kind: 'adamw', weightDecay: Number.NaN })).toThrow(/optimizer.weightDecay/);
    expect(() => makeOptimizer({ kind: 'adam', weightDecay: 0.1 } as never)).toThrow(
      /optimizer.weightDecay: expected no such field \(adam takes/,
    );
  });
});
