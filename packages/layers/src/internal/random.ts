import type { Rng } from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Inverted-dropout mask of `shape`: each element is 0 with probability `rate`, else
 * 1 / (1 − rate), so the expected activation is unchanged and inference needs no
 * rescaling (Srivastava et al. 2014, sec. 10, as Keras). Drawn from `rng` on the CPU so
 * every backend sees the same mask for the same seed. The caller owns the tensor.
 */
export function dropoutMask(shape: readonly number[], rate: number, rng: Rng): tf.Tensor {
  const keep = 1 / (1 - rate);
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < values.length; i++) values[i] = rng.next() < rate ? 0 : keep;
  return tf.tensor(values, [...shape], 'float32');
}

/** Bernoulli(`p`) mask of 0/1 values, drawn from `rng`. The caller owns the tensor. */
export function bernoulliMask(shape: readonly number[], p: number, rng: Rng): tf.Tensor {
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < values.length; i++) values[i] = rng.next() < p ? 1 : 0;
  return tf.tensor(values, [...shape], 'float32');
}
