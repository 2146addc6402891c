import '@recur/core';
import { checkLeaks, describeBackends, expectClose } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';

describeBackends('tf.grad in Node after importing @recur/core', () => {
  checkLeaks();

  it('should differentiate a sum (the kernel tfjs-core leaves without a gradient in Node)', () => {
    const g = tf.tidy(() => tf.grad((x: tf.Tensor) => tf.sum(tf.square(x)))(tf.tensor1d([1, -2, 3])));
    expectClose(g, [2, -4, 6]);
    g.dispose();
  });

  it('should differentiate matMul, tanh and sigmoid through tf.grads', () => {
    const [ga, gb] = tf.tidy(() => {
      const a = tf.tensor2d([
        [0.1, -0.2],
        [0.3, 0.4],
      ]);
      const b = tf.tensor2d([[0.5], [-0.6]]);
      const f = (x: tf.Tensor, y: tf.Tensor) =>
        tf.sum(tf.sigmoid(tf.tanh(tf.matMul(x as tf.Tensor2D, y as tf.Tensor2D))));
      return tf.grads(f)([a, b]);
    }) as [tf.Tensor, tf.Tensor];
    // Finite differences on the first entry of a.
    const f = (a00: number) =>
      tf.tidy(() => {
        const a = tf.tensor2d([
          [a00, -0.2],
          [0.3, 0.4],
        ]);
        const b = tf.tensor2d([[0.5], [-0.6]]);
        return tf.sum(tf.sigmoid(tf.tanh(tf.matMul(a, b)))).dataSync()[0] as number;
      });
    const h = 1e-2;
    expectClose(ga.dataSync()[0] as number, (f(0.1 + h) - f(0.1 - h)) / (2 * h), { rtol: 1e-3, atol: 1e-5 });
    expect(gb.shape).toEqual([2, 1]);
    ga.dispose();
    gb.dispose();
  });
});
