/**
 * Layer normalisation over the last axis (Ba, Kiros & Hinton 2016, "Layer normalization",
 * https://arxiv.org/abs/1607.06450, eq. 4) as one differentiable op with its closed-form
 * gradient. Autodiff through the nine tfjs ops of the forward keeps each op's inputs (copied,
 * on wasm) and each op's gradient until the backward pass ends: about a dozen tensors the size
 * of z. This op keeps x̂ and 1/σ, and its backward's temporaries die with it:
 *
 *     x̂ = (z − μ)/σ, σ = √(var(z) + ε), y = γ ⊙ x̂ + β      (var biased, per row)
 *     ∂γ = Σ_rows ∂y ⊙ x̂,   ∂β = Σ_rows ∂y
 *     ∂z = (g − mean(g) − x̂ ⊙ mean(g ⊙ x̂)) / σ,   g = ∂y ⊙ γ
 */
import * as tf from '@tensorflow/tfjs-core';

/** Sums `t` over every axis but the last: a `[C]` parameter's gradient from a `[..., C]` one. */
export function sumToLast(t: tf.Tensor): tf.Tensor {
  return t.rank === 1 ? tf.clone(t) : tf.sum(t, [...Array(t.rank - 1).keys()]);
}

/**
 * `gain ⊙ (z − μ) / √(σ² + ε) + shift` over the last axis of `z`, with μ, σ² the mean and
 * (biased) variance of each row; `gain` and `shift` are `[C]`. The caller owns the result.
 */
export function layerNorm<T extends tf.Tensor>(z: T, gain: tf.Tensor, shift: tf.Tensor, epsilon: number): T {
  const op = tf.customGrad((input, g, b, save) => {
    const mean = tf.mean(input as tf.Tensor, -1, true);
    const centred = tf.sub(input as tf.Tensor, mean);
    const variance = tf.mean(tf.square(centred), -1, true);
    const inverse = tf.rsqrt(tf.add(variance, epsilon));
    const normed = tf.mul(centred, inverse);
    (save as tf.GradSaveFunc)([normed, inverse, g as tf.Tensor]);
    return {
      value: tf.add(tf.mul(normed, g as tf.Tensor), b as tf.Tensor),
      gradFunc: (dy: tf.Tensor, [xHat, inv, gamma]: tf.Tensor[]) =>
        tf.tidy(() => {
          const scaled = tf.mul(dy, gamma as tf.Tensor);
          const centredGrad = tf.sub(scaled, tf.mean(scaled, -1, true));
          const projection = tf.mul(xHat as tf.Tensor, tf.mean(tf.mul(scaled, xHat as tf.Tensor), -1, true));
          return [
            tf.mul(tf.sub(centredGrad, projection), inv as tf.Tensor),
            sumToLast(tf.mul(dy, xHat as tf.Tensor)),
            sumToLast(dy),
          ];
        }),
    };
  });
  return op(z, gain, shift) as T;
}
