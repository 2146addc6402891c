import { badArgument, runKernel, sameShape, softmaxCrossEntropy as softmaxCrossEntropyKernel } from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Losses return a scalar: the mean over the positions that count. A `mask` (1 = counts,
 * 0 = padding) has the shape of the targets without the class/feature axis, and padded
 * positions contribute nothing — neither to the sum nor to the count.
 */
export interface LossOptions {
  readonly mask?: tf.Tensor;
}

function checkMask(mask: tf.Tensor | undefined, expected: readonly number[]): void {
  if (mask !== undefined && !sameShape(mask.shape, expected)) {
    throw badArgument('SHAPE_MISMATCH', 'mask', `shape [${expected.join(', ')}]`, mask);
  }
}

/** Mean of `perPosition` over the mask (or over everything), as a scalar. */
function maskedMean(perPosition: tf.Tensor, mask: tf.Tensor | undefined): tf.Scalar {
  // The mean of one position (a batch of one sequence) is that position to the bit, x / 1,
  // and so is its gradient, dy·1 / 1: one reshape instead of tfjs' Mean and the three ops
  // of its gradient.
  if (mask === undefined)
    return (perPosition.size === 1 ? tf.reshape(perPosition, []) : tf.mean(perPosition)) as tf.Scalar;
  const m = tf.cast(mask, 'float32');
  // max(count, 1): an all-padding batch gives loss 0, not NaN.
  return tf.div(tf.sum(tf.mul(perPosition, m)), tf.maximum(tf.sum(m), 1)) as tf.Scalar;
}

/**
 * Softmax cross-entropy on integer labels: `logits [..., classes]`, `labels [...]`
 * (class ids in [0, classes): int32, or floats, cast as tfjs casts). Each position's −log softmax(logits)[label] comes
 * from core's fused `softmaxCrossEntropy` kernel (max-subtracted, so large logits do not
 * overflow), then the mean over the mask.
 */
export function softmaxCrossEntropy(logits: tf.Tensor, labels: tf.Tensor, options: LossOptions = {}): tf.Scalar {
  const lead = logits.shape.slice(0, -1);
  if (logits.rank < 2) throw badArgument('SHAPE_MISMATCH', 'logits', 'rank ≥ 2 ([..., classes])', logits);
  if (!sameShape(labels.shape, lead)) {
    throw badArgument('SHAPE_MISMATCH', 'labels', `shape [${lead.join(', ')}] (logits without the class axis)`, labels);
  }
  checkMask(options.mask, lead);
  return tf.tidy(() => {
    // Float class ids (Keras' sparse labels often are) are cast, as before the fused kernel.
    const ids = labels.dtype === 'int32' ? labels : tf.cast(labels, 'int32');
    return maskedMean(runKernel(softmaxCrossEntropyKernel, { logits, labels: ids }, {}).losses, options.mask);
  });
}

/**
 * Binary cross-entropy. With `fromLogits` (default) `predictions` are logits and the
 * stable form max(x, 0) − x·z + log(1 + e^−|x|) is used; otherwise probabilities,
 * clipped to [ε, 1 − ε].
 */
export function binaryCrossEntropy(
  predictions: tf.Tensor,
  targets: tf.Tensor,
  options: LossOptions & { fromLogits?: boolean } = {},
): tf.Scalar {
  if (!sameShape(predictions.shape, targets.shape)) {
    throw badArgument('SHAPE_MISMATCH', 'targets', `shape [${predictions.shape.join(', ')}]`, targets);
  }
  checkMask(options.mask, targets.shape);
  return tf.tidy(() => {
    const z = tf.cast(targets, 'float32');
    let perPosition: tf.Tensor;
    if (options.fromLogits ?? true) {
      const x = predictions;
      perPosition = tf.add(tf.sub(tf.relu(x), tf.mul(x, z)), tf.log1p(tf.exp(tf.neg(tf.abs(x)))));
    } else {
      const eps = 1e-7;
      const p = tf.clipByValue(predictions, eps, 1 - eps);
      perPosition = tf.neg(tf.add(tf.mul(z, tf.log(p)), tf.mul(tf.sub(1, z), tf.log(tf.sub(1, p)))));
    }
    return maskedMean(perPosition, options.mask);
  });
}

type Elementwise = (diff: tf.Tensor) => tf.Tensor;

function regression(name: string, f: Elementwise) {
  return (predictions: tf.Tensor, targets: tf.Tensor, options: LossOptions = {}): tf.Scalar => {
    if (!sameShape(predictions.shape, targets.shape)) {
      throw badArgument('SHAPE_MISMATCH', `${name}: targets`, `shape [${predictions.shape.join(', ')}]`, targets);
    }
    const mask = options.mask;
    // A mask without the feature axis covers every feature of a position.
    const maskShape = mask !== undefined && mask.rank === targets.rank - 1 ? targets.shape.slice(0, -1) : targets.shape;
    checkMask(mask, maskShape);
    return tf.tidy(() => {
      let perPosition = f(tf.sub(predictions, targets));
      if (mask !== undefined && mask.rank === targets.rank - 1) perPosition = tf.mean(perPosition, -1);
      return maskedMean(perPosition, mask);
    });
  };
}

/** Mean squared error. */
export const meanSquaredError = regression('meanSquaredError', (d) => tf.square(d));
/** Mean absolute error. */
export const meanAbsoluteError = regression('meanAbsoluteError', (d) => tf.abs(d));

/** Huber loss: quadratic within `delta` of the target, linear beyond (Keras' definition). */
export function huber(predictions: tf.Tensor, targets: tf.Tensor, options: LossOptions & { delta?: number } = {}) {
  const delta = options.delta ?? 1;
  if (!(delta > 0)) throw badArgument('BAD_CONFIG', 'delta', 'a positive number', delta);
  return regression('huber', (d) => {
    const a = tf.abs(d);
    const quadratic = tf.minimum(a, delta);
    return tf.add(tf.mul(0.5, tf.square(quadratic)), tf.mul(delta, tf.sub(a, quadratic)));
  })(predictions, targets, options);
}
