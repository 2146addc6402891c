/**
 * `tf.reshape` whose gradient keeps nothing alive. tfjs' own keeps the input until the
 * backward pass ends only to read its shape (and on wasm that keeping is a copy: its
 * `Identity` kernel copies), so a `[B, T, C]` flattened for a product cost one more tensor
 * the size of the sequence, twice per product.
 */
import * as tf from '@tensorflow/tfjs-core';

/** `x` as `shape` (data shared, as `tf.reshape`). The caller owns the result. */
export function reshapeUnsaved<T extends tf.Tensor>(x: tf.Tensor, shape: readonly number[]): T {
  const from = x.shape;
  const op = tf.customGrad((input) => ({
    value: tf.reshape(input as tf.Tensor, [...shape]),
    gradFunc: (dy: tf.Tensor) => tf.reshape(dy, from),
  }));
  return op(x) as T;
}
