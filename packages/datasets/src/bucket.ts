import { badArgument } from '@recur/core';
import { type BatchOptions, checkBatchOptions, shuffleInt32 } from './batches.js';
import { assertInt32Sequence, optionsRecord } from './internal/check.js';

export interface BucketOptions extends BatchOptions {
  /**
   * Increasing length boundaries: bucket k holds lengths in [boundaries[k-1], boundaries[k]),
   * as tf.data's `bucket_by_sequence_length`; batches never mix buckets. Default: sort
   * every sequence by length, the tightest grouping.
   */
  readonly boundaries?: readonly number[];
}

/**
 * Groups sequence indices into batches of similar length so that padding each batch to its
 * own longest sequence wastes little. With an `rng`, equal-length sequences are taken in a
 * random order and the batches come in a random order; without one, shortest first.
 * Every index appears in exactly one batch, except those of short batches that
 * `dropRemainder` drops (at most `batchSize - 1` per bucket).
 */
export function bucketByLength(lengths: ArrayLike<number>, options: BucketOptions): Int32Array[] {
  assertInt32Sequence(lengths, 'lengths');
  const { batchSize, rng, dropRemainder } = checkBatchOptions(options);
  const boundaries = checkBoundaries(optionsRecord(options, 'options').boundaries);
  for (let i = 0; i < lengths.length; i++) {
    if ((lengths[i] as number) < 0) throw badArgument('BAD_DATA', `lengths[${i}]`, 'a non-negative length', lengths[i]);
  }

  const order = new Int32Array(lengths.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  if (rng !== undefined) shuffleInt32(order, rng);
  // Sort is stable, so ties (same length, or same bucket) keep the shuffled order.
  const key = (i: number) =>
    boundaries === undefined ? (lengths[i] as number) : bucketOf(lengths[i] as number, boundaries);
  const sorted = Array.from(order).sort((a, b) => key(a) - key(b));

  const batches: Int32Array[] = [];
  let start = 0;
  while (start < sorted.length) {
    let end = start;
    const bucket = key(sorted[start] as number);
    const sameBucket = (j: number) => boundaries === undefined || key(sorted[j] as number) === bucket;
    while (end < sorted.length && end - start < batchSize && sameBucket(end)) end++;
    if (!(dropRemainder && end - start < batchSize)) batches.push(Int32Array.from(sorted.slice(start, end)));
    start = end;
  }
  if (rng !== undefined) rng.shuffle(batches);
  return batches;
}

/** Padding a set of batches costs when each is padded to its own longest sequence. */
export function paddingWaste(
  batches: readonly ArrayLike<number>[],
  lengths: ArrayLike<number>,
): { readonly padded: number; readonly real: number; readonly fraction: number } {
  assertInt32Sequence(lengths, 'lengths');
  let padded = 0;
  let real = 0;
  batches.forEach((batch, b) => {
    assertInt32Sequence(batch, `batches[${b}]`);
    let longest = 0;
    for (let k = 0; k < batch.length; k++) {
      const len = lengths[batch[k] as number];
      if (len === undefined)
        throw badArgument('BAD_DATA', `batches[${b}][${k}]`, `an index below ${lengths.length}`, batch[k]);
      longest = Math.max(longest, len);
      real += len;
    }
    padded += longest * batch.length;
  });
  return { padded: padded - real, real, fraction: padded === 0 ? 0 : (padded - real) / padded };
}

function checkBoundaries(boundaries: unknown): readonly number[] | undefined {
  if (boundaries === undefined) return undefined;
  const ok =
    Array.isArray(boundaries) &&
    boundaries.length > 0 &&
    boundaries.every((b, i) => Number.isInteger(b) && b > 0 && (i === 0 || b > boundaries[i - 1]));
  if (!ok)
    throw badArgument(
      'BAD_CONFIG',
      'options.boundaries',
      'a non-empty increasing array of positive integers',
      boundaries,
    );
  return boundaries as number[];
}

function bucketOf(length: number, boundaries: readonly number[]): number {
  let k = 0;
  while (k < boundaries.length && length >= (boundaries[k] as number)) k++;
  return k;
}
