import { assertBoolean, badArgument } from '@recur/core';
import { type BatchOptions, batchIndices } from './batches.js';
import { type BucketOptions, bucketByLength } from './bucket.js';
import { assertInt32Sequence, isArrayLike, optionsRecord } from './internal/check.js';
import { type PaddedSequences, type PadOptions, padSequences } from './pad.js';

export interface SequenceBatchOptions extends BucketOptions, PadOptions {
  /** Group similar lengths ({@link bucketByLength}). Default true. */
  readonly bucket?: boolean;
}

export interface SequenceBatch extends PaddedSequences {
  /** Which sequences (indices into the input) the rows are, to look up their labels. */
  readonly indices: Int32Array;
}

/**
 * Batches of token sequences, each padded to its own longest sequence (or to `maxLength`
 * when given): bucketed by length by default, shuffled when an `rng` is given. The order
 * and grouping are drawn when this is called; padding happens as batches are taken.
 */
export function sequenceBatches(
  sequences: readonly ArrayLike<number>[],
  options: SequenceBatchOptions,
): IterableIterator<SequenceBatch> {
  const o = optionsRecord(options, 'options');
  const bucket = o.bucket ?? true;
  assertBoolean(bucket, 'options.bucket');
  const pad: PadOptions = { maxLength: o.maxLength, padding: o.padding, truncating: o.truncating, value: o.value };
  padSequences([], pad); // checks the pad options before any work
  if (!Array.isArray(sequences)) throw badArgument('BAD_DATA', 'sequences', 'an array of integer sequences', sequences);
  const lengths = sequences.map((s, i) => {
    if (!isArrayLike(s)) throw badArgument('BAD_DATA', `sequences[${i}]`, 'an array of integers', s);
    assertInt32Sequence(s, `sequences[${i}]`);
    return o.maxLength === undefined ? s.length : Math.min(s.length, o.maxLength);
  });
  const batching: BatchOptions = { batchSize: o.batchSize as number, rng: o.rng, dropRemainder: o.dropRemainder };
  const batches = bucket
    ? bucketByLength(lengths, { ...batching, boundaries: o.boundaries })
    : [...batchIndices(sequences.length, batching)];
  return (function* () {
    for (const indices of batches) {
      yield {
        ...padSequences(
          Array.from(indices, (i) => sequences[i] as ArrayLike<number>),
          pad,
        ),
        indices,
      };
    }
  })();
}
