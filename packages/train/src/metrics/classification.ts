import { badArgument, isTensor } from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';
import { type MetricOptions, maskedMeanMetric, sameShape } from './tensor-metric.js';

type Labels = ArrayLike<number>;

/**
 * Fraction of positions where the prediction equals the label, leaving out those the
 * mask sets to 0. One signature for training and evaluation, that of the losses:
 * - tensors in, `tf.Scalar` out (a training metric: `trainable(net, { metrics: { accuracy } })`).
 *   `predictions` are class scores `[..., classes]` (logits or probabilities; the argmax
 *   is taken) with labels `[...]`, or class ids shaped as the labels;
 * - arrays of class ids in, a number out (evaluation).
 */
export function accuracy(predictions: tf.Tensor, labels: tf.Tensor, options?: MetricOptions<tf.Tensor>): tf.Scalar;
export function accuracy(predictions: Labels, labels: Labels, options?: MetricOptions<Labels>): number;
export function accuracy(
  predictions: tf.Tensor | Labels,
  labels: tf.Tensor | Labels,
  options: MetricOptions<tf.Tensor> | MetricOptions<Labels> = {},
): tf.Scalar | number {
  if (isTensor(predictions) || isTensor(labels)) {
    return tensorAccuracy(predictions, labels, options.mask);
  }
  const mask = options.mask as Labels | undefined;
  if (predictions.length !== labels.length) {
    throw badArgument(
      'SHAPE_MISMATCH',
      'accuracy: labels',
      `${predictions.length} values (as predictions)`,
      labels.length,
    );
  }
  if (mask !== undefined && mask.length !== labels.length) {
    throw badArgument('SHAPE_MISMATCH', 'accuracy: options.mask', `${labels.length} values (as labels)`, mask.length);
  }
  let right = 0;
  let n = 0;
  for (let i = 0; i < labels.length; i++) {
    if (mask !== undefined && !mask[i]) continue;
    n++;
    if (predictions[i] === labels[i]) right++;
  }
  return n === 0 ? 0 : right / n;
}

function tensorAccuracy(predictions: unknown, labels: unknown, mask: unknown): tf.Scalar {
  if (!isTensor(predictions))
    throw badArgument('BAD_DATA', 'accuracy: predictions', 'a tensor (as labels)', predictions);
  if (!isTensor(labels)) throw badArgument('BAD_DATA', 'accuracy: labels', 'a tensor (as predictions)', labels);
  const scores = predictions.rank === labels.rank + 1;
  const lead = scores ? predictions.shape.slice(0, -1) : predictions.shape;
  if (!sameShape(labels.shape, lead)) {
    throw badArgument(
      'SHAPE_MISMATCH',
      'accuracy: labels',
      `shape [${lead.join(', ')}] (predictions${scores ? ' without the class axis' : ''})`,
      labels,
    );
  }
  return tf.tidy(() => {
    const predicted = scores ? tf.argMax(predictions, -1) : tf.cast(predictions, 'int32');
    const hits = tf.cast(tf.equal(predicted, tf.cast(labels, 'int32')), 'float32');
    return maskedMeanMetric('accuracy', hits, mask);
  });
}

/** Precision, recall and F1 of one class, with the confusion counts they come from. */
export interface BinaryScores {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly truePositives: number;
  readonly falsePositives: number;
  readonly falseNegatives: number;
  readonly trueNegatives: number;
}

/**
 * Precision, recall and F1 of class `positive` (default 1). An undefined ratio (no
 * predicted or no actual positives) is 0, as scikit-learn's `zero_division=0`.
 */
export function precisionRecallF1(predictions: Labels, labels: Labels, positive = 1): BinaryScores {
  if (predictions.length !== labels.length) {
    throw badArgument('SHAPE_MISMATCH', 'precisionRecallF1: labels', `${predictions.length} values`, labels.length);
  }
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  for (let i = 0; i < labels.length; i++) {
    const p = predictions[i] === positive;
    const a = labels[i] === positive;
    if (p && a) tp++;
    else if (p) fp++;
    else if (a) fn++;
    else tn++;
  }
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1, truePositives: tp, falsePositives: fp, falseNegatives: fn, trueNegatives: tn };
}

/** Perplexity from a mean cross-entropy in nats. */
export function perplexity(meanCrossEntropyNats: number): number {
  return Math.exp(meanCrossEntropyNats);
}

/** Bits per character (or token) from a mean cross-entropy in nats. */
export function bitsPerCharacter(meanCrossEntropyNats: number): number {
  return meanCrossEntropyNats / Math.LN2;
}
