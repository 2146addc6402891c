import { badArgument, isTensor } from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';

/** A metric's options: the loss options' `mask` (1 = counts), as a tensor or, for arrays, an array. */
export interface MetricOptions<M> {
  readonly mask?: M;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * Mean of `perPosition` over the positions `mask` keeps (all when absent), as a scalar; a
 * mask without `perPosition`'s last (feature) axis covers every feature of a position.
 * An all-padding mask gives 0, not NaN, as the losses do.
 */
export function maskedMeanMetric(name: string, perPosition: tf.Tensor, mask: unknown): tf.Scalar {
  if (mask === undefined) return tf.mean(perPosition) as tf.Scalar;
  if (!isTensor(mask)) throw badArgument('BAD_DATA', `${name}: options.mask`, 'a tensor', mask);
  const featureWise = mask.rank === perPosition.rank - 1 && sameShape(mask.shape, perPosition.shape.slice(0, -1));
  if (!featureWise && !sameShape(mask.shape, perPosition.shape)) {
    throw badArgument('SHAPE_MISMATCH', `${name}: options.mask`, `shape [${perPosition.shape.join(', ')}]`, mask);
  }
  const values = featureWise ? tf.mean(perPosition, -1) : perPosition;
  const m = tf.cast(mask, 'float32');
  return tf.div(tf.sum(tf.mul(values, m)), tf.maximum(tf.sum(m), 1)) as tf.Scalar;
}
