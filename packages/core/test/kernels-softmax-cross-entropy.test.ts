import { hasFusedKernel, RecurError, runKernel, softmaxCrossEntropy } from '@recur/core';
import { checkLeaks, describeBackends, expectClose } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { withReferenceKernels } from './kernels-cases.js';

/** Logits of `shape` in [−spread, spread] and labels covering every class in turn. */
function inputs(shape: number[], spread: number, seed: number) {
  const classes = shape[shape.length - 1] as number;
  const rows = shape.slice(0, -1).reduce((a, b) => a * b, 1);
  return tf.tidy(() => ({
    logits: tf.randomUniform(shape, -spread, spread, 'float32', seed),
    labels: tf.tensor(
      Array.from({ length: rows }, (_, i) => (i * 7 + seed) % classes),
      shape.slice(0, -1),
      'int32',
    ),
  }));
}

/** Losses and the gradient of Σ wᵢ·lossᵢ (w fixed, uneven) with respect to the logits. */
function lossesAndGradient(given: ReturnType<typeof inputs>): [Float32Array, Float32Array] {
  const weights = tf.tidy(() => tf.randomUniform(given.labels.shape, 0.5, 2, 'float32', 99));
  const [losses, grad] = tf.tidy(() => {
    const f = (logits: tf.Tensor) =>
      tf.sum(tf.mul(runKernel(softmaxCrossEntropy, { logits, labels: given.labels }, {}).losses, weights));
    return [runKernel(softmaxCrossEntropy, given, {}).losses, tf.grad(f)(given.logits)];
  });
  const out: [Float32Array, Float32Array] = [losses.dataSync() as Float32Array, grad.dataSync() as Float32Array];
  tf.dispose([losses, grad, weights]);
  return out;
}

/** The same in float64 from the equations: s = logΣexp(x − m), loss = s − (x_label − m), ∂ = w·(softmax − onehot). */
function float64(given: ReturnType<typeof inputs>): [number[], number[]] {
  const x = given.logits.dataSync();
  const labels = given.labels.dataSync();
  const w = tf.tidy(() => tf.randomUniform(given.labels.shape, 0.5, 2, 'float32', 99).dataSync());
  const classes = given.logits.shape[given.logits.rank - 1] as number;
  const losses: number[] = [];
  const grad: number[] = [];
  for (let r = 0; r < labels.length; r++) {
    const row = Array.from(x.subarray(r * classes, (r + 1) * classes));
    const m = Math.max(...row);
    const s = Math.log(row.reduce((acc, v) => acc + Math.exp(v - m), 0));
    const label = labels[r] as number;
    losses.push(s - ((row[label] as number) - m));
    row.forEach((v, j) => {
      grad.push((w[r] as number) * (Math.exp(v - m - s) - (j === label ? 1 : 0)));
    });
  }
  return [losses, grad];
}

const SHAPES: [string, number[], number][] = [
  ['rank 2', [5, 7], 4],
  ['rank 3', [2, 3, 9], 4],
  ['one class', [3, 1], 4],
  ['large logits (±80)', [4, 6], 80],
  ['rank 3, large logits', [2, 2, 5], 80],
];

describeBackends('RecurSoftmaxCrossEntropy', () => {
  checkLeaks();

  it('should be fused on cpu and wasm and equal the reference within float rounding', () => {
    if (['cpu', 'wasm'].includes(tf.getBackend())) expect(hasFusedKernel(softmaxCrossEntropy)).toBe(true);
    for (const [k, [, shape, spread]] of SHAPES.entries()) {
      const given = inputs(shape, spread, k);
      const [losses, grad] = lossesAndGradient(given);
      const [refLosses, refGrad] = withReferenceKernels(() => lossesAndGradient(given));
      if (tf.getBackend() === 'cpu') {
        // The cpu kernel rounds where tfjs' cpu ops store: the same bits.
        expect(Array.from(losses)).toEqual(Array.from(refLosses));
        expect(Array.from(grad)).toEqual(Array.from(refGrad));
      }
      expectClose(losses, refLosses, { rtol: 1e-6, atol: 1e-6 });
      expectClose(grad, refGrad, { rtol: 1e-6, atol: 1e-7 });
      tf.dispose(Object.values(given));
    }
  });

  it('should follow the equations (float64) at every label, rank and scale', () => {
    for (const [k, [, shape, spread]] of SHAPES.entries()) {
      const given = inputs(shape, spread, 10 + k);
      const [losses, grad] = lossesAndGradient(given);
      const [expectedLosses, expectedGrad] = float64(given);
      // Float32 rounding of x − m (an ulp of 80 at worst) bounds the agreement.
      expectClose(losses, expectedLosses, { rtol: 1e-6, atol: 1e-5 * (spread / 4) });
      expectClose(grad, expectedGrad, { rtol: 1e-5, atol: 1e-6 });
      tf.dispose(Object.values(given));
    }
  });

  it('should keep only the statistics the backward needs', () => {
    expect(softmaxCrossEntropy.workspace).toEqual(['max', 'logSumExp']);
    const given = inputs([3, 4], 4, 1);
    const all = tf.tidy(() => softmaxCrossEntropy.reference(given, {}) as Record<string, tf.Tensor>);
    expect(Object.fromEntries(Object.entries(all).map(([name, t]) => [name, t.shape]))).toEqual({
      losses: [3],
      max: [3],
      logSumExp: [3],
    });
    tf.dispose([...Object.values(all), ...Object.values(given)]);
  });

  it('should refuse labels out of range or not int32, naming them', () => {
    const logits = tf.zeros([2, 3]);
    const cases: [tf.Tensor, RegExp][] = [
      [tf.tensor1d([0, 3], 'int32'), /labels \(flat index 1\): expected a class id in \[0, 3\), received 3/],
      [tf.tensor1d([-1, 0], 'int32'), /labels \(flat index 0\): expected a class id in \[0, 3\), received -1/],
      [
        tf.tensor1d([0, 1], 'float32'),
        /input 'labels': expected an int32 tensor of shape \[2\].*received 'dtype float32'/,
      ],
      [tf.tensor1d([0, 1, 2], 'int32'), /input 'labels': expected an int32 tensor of shape \[2\]/],
    ];
    for (const [labels, message] of cases) {
      const run = () => runKernel(softmaxCrossEntropy, { logits, labels }, {});
      expect(run).toThrow(RecurError);
      expect(run).toThrow(message);
      labels.dispose();
    }
    const ints = tf.zeros([2, 3], 'int32');
    const zeros = tf.zeros([2], 'int32');
    expect(() => runKernel(softmaxCrossEntropy, { logits: ints, labels: zeros }, {})).toThrow(
      /input 'logits': expected a float32 tensor/,
    );
    tf.dispose([logits, ints, zeros]);
  });
});
