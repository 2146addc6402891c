import { badArgument } from '@recur/core';

/**
 * Area under the ROC curve of `scores` (higher: more likely class `positive`) against
 * `labels`. It equals the probability that a random positive scores above a random
 * negative, ties counting one half: the Mann–Whitney U statistic over nPos·nNeg
 * (Hanley & McNeil 1982), computed from mid-ranks in O(n log n). This is the value
 * scikit-learn's `roc_auc_score` gives (its trapezoids over the ROC curve's corners are
 * the same sum). Throws when either class is missing: the area is then undefined.
 */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>, positive = 1): number {
  if (scores.length !== labels.length) {
    throw badArgument('SHAPE_MISMATCH', 'rocAuc: labels', `${scores.length} values (as scores)`, labels.length);
  }
  const order = Array.from({ length: scores.length }, (_, i) => i);
  for (const i of order) {
    if (!Number.isFinite(scores[i]))
      throw badArgument('BAD_DATA', `rocAuc: scores[${i}]`, 'a finite number', scores[i]);
  }
  order.sort((a, b) => (scores[a] as number) - (scores[b] as number));
  let positives = 0;
  let rankSum = 0;
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end < order.length && scores[order[end] as number] === scores[order[start] as number]) end++;
    // Tied scores share the mean of ranks start+1 … end (1-based).
    const midRank = (start + 1 + end) / 2;
    for (let k = start; k < end; k++) {
      if (labels[order[k] as number] === positive) {
        positives++;
        rankSum += midRank;
      }
    }
    start = end;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) {
    throw badArgument(
      'BAD_DATA',
      'rocAuc: labels',
      `both class ${positive} and another class`,
      `${positives} positive and ${negatives} other labels`,
    );
  }
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}
