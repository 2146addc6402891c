import { badArgument } from '@recur/core';

type Labels = ArrayLike<number>;

/** Fraction of positions where prediction equals label; positions with mask 0 are left out. */
export function accuracy(predictions: Labels, labels: Labels, mask?: ArrayLike<number>): number {
  if (predictions.length !== labels.length) {
    throw badArgument(
      'SHAPE_MISMATCH',
      'accuracy: labels',
      `${predictions.length} values (as predictions)`,
      labels.length,
    );
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
