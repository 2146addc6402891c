/**
 * RWKV's receptance gate (Peng et al. 2023, https://arxiv.org/abs/2305.13048, eqs. 17–18),
 * `σ(r) ⊙ x`, as one differentiable op that keeps σ(r) and x for its gradient
 *
 *     ∂x = ∂y ⊙ σ(r),   ∂r = ∂y ⊙ x ⊙ σ(r) ⊙ (1 − σ(r))
 *
 * instead of autodiff's σ(r), both inputs of the product (copies, on wasm) and three gradients.
 */
import * as tf from '@tensorflow/tfjs-core';

/** ∂r and ∂x of `σ(r) ⊙ x` from ∂y, σ(r) and x (all one shape). */
export function gateGrads(dy: tf.Tensor, sigma: tf.Tensor, x: tf.Tensor): { dr: tf.Tensor; dx: tf.Tensor } {
  return {
    dr: tf.mul(tf.mul(dy, x), tf.mul(sigma, tf.sub(1, sigma))),
    dx: tf.mul(dy, sigma),
  };
}

/** `σ(r) ⊙ x`, `r` and `x` of one shape. The caller owns the result. */
export function receptanceGate<T extends tf.Tensor>(r: T, x: T): T {
  const op = tf.customGrad((receptance, value, save) => {
    const sigma = tf.sigmoid(receptance as tf.Tensor);
    (save as tf.GradSaveFunc)([sigma, value as tf.Tensor]);
    return {
      value: tf.mul(sigma, value as tf.Tensor),
      gradFunc: (dy: tf.Tensor, [s, v]: tf.Tensor[]) =>
        tf.tidy(() => {
          const { dr, dx } = gateGrads(dy, s as tf.Tensor, v as tf.Tensor);
          return [dr, dx];
        }),
    };
  });
  return op(r, x) as T;
}
