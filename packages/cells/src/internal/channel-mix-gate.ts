/**
 * The output of RWKV's channel mixing (Peng et al. 2023, https://arxiv.org/abs/2305.13048,
 * eq. 18), `σ(r′) ⊙ (max(k′, 0)²·W′_v)`, as one differentiable op. Autodiff kept k′, relu(k′)
 * and relu(k′)² (each `[..., 4C]`, and copied again on wasm to be saved), σ(r′), the product and
 * every gradient until the backward pass ended. This op keeps k′, σ(r′) and the product
 * p = relu(k′)²·W′_v, and rebuilds relu(k′)² in its backward:
 *
 *     ∂p = ∂y ⊙ σ(r′),  ∂r′ = ∂y ⊙ p ⊙ σ(r′)(1 − σ(r′)),
 *     ∂W′_v = relu(k′)²ᵀ·∂p,  ∂k′ = (∂p·W′_vᵀ) ⊙ 2 relu(k′)
 */
import * as tf from '@tensorflow/tfjs-core';
import { gateGrads } from './receptance-gate.js';
import { sequenceProduct } from './sequence-product.js';

/** `x [..., K]` as `[rows, K]`. */
function rows(x: tf.Tensor): tf.Tensor2D {
  return tf.reshape(x, [-1, x.shape[x.rank - 1] as number]) as tf.Tensor2D;
}

/**
 * `σ(r) ⊙ (relu(k)²·value)`: `r [..., C]`, `k [..., H]`, `value [H, C]`. The caller owns the result.
 */
export function channelMixGate<T extends tf.Tensor>(r: T, k: T, value: tf.Tensor2D): T {
  const op = tf.customGrad((receptance, key, w, save) => {
    const sigma = tf.sigmoid(receptance as tf.Tensor);
    const product = sequenceProduct(tf.square(tf.relu(key as tf.Tensor)), w as tf.Tensor2D);
    (save as tf.GradSaveFunc)([sigma, key as tf.Tensor, product, w as tf.Tensor]);
    return {
      value: tf.mul(sigma, product),
      gradFunc: (dy: tf.Tensor, [s, kk, p, ww]: tf.Tensor[]) =>
        tf.tidy(() => {
          const { dr, dx: dp } = gateGrads(dy, s as tf.Tensor, p as tf.Tensor);
          const relu = tf.relu(kk as tf.Tensor);
          const dw = tf.matMul(rows(tf.square(relu)), rows(dp), true, false);
          const dq = tf.reshape(tf.matMul(rows(dp), ww as tf.Tensor2D, false, true), relu.shape);
          return [dr, tf.mul(dq, tf.mul(relu, 2)), dw];
        }),
    };
  });
  return op(r, k, value) as T;
}
