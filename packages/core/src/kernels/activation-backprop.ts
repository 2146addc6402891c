import * as tf from '@tensorflow/tfjs-core';
import { getActivation } from '../activations.js';
import type { SequenceKernelActivation } from './sequence-attrs.js';

/** Applies activation `name`. The caller owns the result. */
export function activate(name: SequenceKernelActivation, x: tf.Tensor): tf.Tensor {
  return getActivation(name)(x);
}

// tfjs' SELU constants (ops/selu_util.ts), so the derivative matches its forward exactly.
const SELU_SCALE = 1.0507009873554805;
const SELU_SCALE_ALPHA = 1.7580993408473768;

/**
 * dz = dy ⊙ act'(z), written with the activation's *output* y = act(z), as the workspace
 * keeps outputs only (as cuDNN does). Every activation in `SEQUENCE_KERNEL_ACTIVATIONS`
 * has such a form; swish and gelu do not, so they stay off the sequence kernels.
 */
export function backpropActivation(name: SequenceKernelActivation, dy: tf.Tensor, y: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    switch (name) {
      case 'linear':
        return tf.clone(dy);
      case 'sigmoid':
        return tf.mul(dy, tf.mul(y, tf.sub(1, y)));
      case 'hardSigmoid':
        // clip(0.2·z + 0.5, 0, 1): slope 0.2 strictly inside the clip, 0 outside.
        return tf.mul(tf.mul(dy, 0.2), between(y, 0, 1));
      case 'tanh':
        return tf.mul(dy, tf.sub(1, tf.square(y)));
      case 'relu':
        return tf.mul(dy, tf.step(y));
      case 'relu6':
        return tf.mul(dy, between(y, 0, 6));
      case 'elu':
        // z ≤ 0: y = eᶻ − 1, so y' = y + 1.
        return tf.where(tf.greater(y, 0), dy, tf.mul(dy, tf.add(y, 1)));
      case 'selu':
        return tf.where(tf.greater(y, 0), tf.mul(dy, SELU_SCALE), tf.mul(dy, tf.add(y, SELU_SCALE_ALPHA)));
      case 'softsign':
        // y = z / (1 + |z|), so 1 / (1 + |z|)² = (1 − |y|)².
        return tf.mul(dy, tf.square(tf.sub(1, tf.abs(y))));
      case 'softplus':
        // y = log(1 + eᶻ), so σ(z) = 1 − e^(−y), written with expm1 for small y.
        return tf.mul(dy, tf.neg(tf.expm1(tf.neg(y))));
      case 'exponential':
        return tf.mul(dy, y);
    }
  });
}

function between(y: tf.Tensor, low: number, high: number): tf.Tensor {
  return tf.cast(tf.logicalAnd(tf.greater(y, low), tf.less(y, high)), 'float32');
}
