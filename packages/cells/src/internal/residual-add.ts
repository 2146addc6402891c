/**
 * A residual connection `a + b` (both one shape) whose gradient is ∂y for each input.
 * tfjs' `add` keeps both inputs alive until the backward pass ends (copies, on wasm) only to
 * read their shapes; this op keeps nothing.
 */
import * as tf from '@tensorflow/tfjs-core';

/** `a + b`, `a` and `b` of one shape. The caller owns the result. */
export function residualAdd<T extends tf.Tensor>(a: T, b: T): T {
  const op = tf.customGrad((x, y) => ({
    value: tf.add(x as tf.Tensor, y as tf.Tensor),
    // Two tensors over ∂y's buffer (a reshape shares it): tfjs disposes each input's gradient on its own.
    gradFunc: (dy: tf.Tensor) => [tf.reshape(dy, dy.shape), tf.reshape(dy, dy.shape)],
  }));
  return op(a, b) as T;
}
