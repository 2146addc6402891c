/**
 * `x · W` over every step of a sequence as one 2-D product on `[B·T, K]`, with a gradient
 * made of plain products only.
 *
 * tfjs' own gradient of `matMul(x, W)` is `dx = matMul(dy, W, false, true)` and
 * `dW = matMul(x, dy, true, false)`. On tfjs' wasm backend a product with a transposed
 * operand runs about ten times slower than an explicit `transpose` followed by a plain
 * product (batch 16 × time 512, 64 → 512: 230 ms against 19 ms, measured 2026-12-05), and
 * at long sequences it was most of a min-RNN's training step. So the gradient here
 * transposes first: dx = dy · Wᵀ, dW = xᵀ · dy.
 * The values are the same sums in another order: equal up to float32 rounding.
 */
import * as tf from '@tensorflow/tfjs-core';

const product = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, w, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
  save([x, w]);
  return {
    value: tf.matMul(x, w),
    gradFunc: (dy: tf.Tensor, [xs, ws]: tf.Tensor[]) => [
      tf.matMul(dy as tf.Tensor2D, tf.transpose(ws as tf.Tensor2D)),
      tf.matMul(tf.transpose(xs as tf.Tensor2D), dy as tf.Tensor2D),
    ],
  };
});

/** `xs [..., K] · kernel [K, N]` → `[..., N]`, every leading axis flattened into one product. */
export function sequenceProduct<T extends tf.Tensor>(xs: T, kernel: tf.Tensor2D): T {
  return tf.tidy(() => {
    const width = xs.shape[xs.rank - 1] as number;
    const flat = tf.reshape(xs, [-1, width]) as tf.Tensor2D;
    return tf.reshape(product(flat, kernel), [...xs.shape.slice(0, -1), kernel.shape[1]]) as T;
  });
}
