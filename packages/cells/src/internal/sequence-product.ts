/**
 * `x · W` over every step of a sequence as one 2-D product on `[B·T, K]`.
 *
 * tfjs' own gradient of `matMul` (dx = dy·Wᵀ, dW = xᵀ·dy, transposed products) is kept:
 * it is lazy per input, so tfjs skips dx when x needs no gradient (data, the first layer),
 * and on wasm Recur's plug-in runs transposed products at the plain product's speed
 * (backend-wasm's kernels/batch-mat-mul.ts). An earlier version here transposed by hand
 * inside a `customGrad`, which made tfjs compute dx always. The reshapes around the product
 * keep nothing for their gradient (`reshapeUnsaved`): tfjs' own kept both `[B, T, ·]` sides.
 */
import * as tf from '@tensorflow/tfjs-core';
import { reshapeUnsaved } from './reshape-unsaved.js';

/** `xs [..., K] · kernel [K, N]` → `[..., N]`, every leading axis flattened into one product. */
export function sequenceProduct<T extends tf.Tensor>(xs: T, kernel: tf.Tensor2D): T {
  return tf.tidy(() => {
    const width = xs.shape[xs.rank - 1] as number;
    const flat = reshapeUnsaved<tf.Tensor2D>(xs, [-1, width]);
    return reshapeUnsaved<T>(tf.matMul(flat, kernel), [...xs.shape.slice(0, -1), kernel.shape[1]]);
  });
}
