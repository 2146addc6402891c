/**
 * RWKV's token-shift interpolation (Peng et al. 2023, https://arxiv.org/abs/2305.13048,
 * eqs. 11–15), `μ ⊙ x_t + (1 − μ) ⊙ x_{t−1}`, as one differentiable op. It is computed as
 * `s + μ ⊙ (x − s)` (s the shifted input) and keeps only d = x − s for its gradient:
 *
 *     ∂μ = Σ_rows ∂y ⊙ d,   ∂x = μ ⊙ ∂y,   ∂s = ∂y − ∂x
 *
 * Autodiff through the three tfjs ops kept x, s, d, μ ⊙ d (each copied on wasm) and three
 * gradients per mix until the backward pass ended; RWKV runs five mixes per layer.
 */
import * as tf from '@tensorflow/tfjs-core';
import { sumToLast } from './layer-norm.js';

/** `shifted + mu ⊙ (x − shifted)`: `x`, `shifted` `[..., C]`, `mu [C]`. The caller owns the result. */
export function tokenMix<T extends tf.Tensor>(x: T, shifted: T, mu: tf.Tensor): T {
  const op = tf.customGrad((current, previous, weight, save) => {
    const difference = tf.sub(current as tf.Tensor, previous as tf.Tensor);
    (save as tf.GradSaveFunc)([difference, weight as tf.Tensor]);
    return {
      value: tf.add(previous as tf.Tensor, tf.mul(weight as tf.Tensor, difference)),
      gradFunc: (dy: tf.Tensor, [d, m]: tf.Tensor[]) =>
        tf.tidy(() => {
          const dx = tf.mul(dy, m as tf.Tensor);
          return [dx, tf.sub(dy, dx), sumToLast(tf.mul(dy, d as tf.Tensor))];
        }),
    };
  });
  return op(x, shifted, mu) as T;
}
