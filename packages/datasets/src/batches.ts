import {
  assertBoolean,
  assertNonNegativeInteger,
  assertPositiveInteger,
  assertRng,
  badArgument,
  type Rng,
} from '@recur/core';
import { optionsRecord } from './internal/check.js';

export interface BatchOptions {
  readonly batchSize: number;
  /**
   * Shuffle with this generator. It advances, so calling again with the same `Rng` gives
   * the next epoch's order, and a fresh `new Rng(seed)` reproduces the first. Default: no
   * shuffle.
   */
  readonly rng?: Rng;
  /** Drop the last batch when it is short. Default false. */
  readonly dropRemainder?: boolean;
}

/**
 * One epoch of batches of the indices `0 … count-1`. The order is drawn when this is
 * called, so the `Rng` advances at once and the iterator can be consumed later.
 */
export function batchIndices(count: number, options: BatchOptions): IterableIterator<Int32Array> {
  assertNonNegativeInteger(count, 'count');
  const { batchSize, rng, dropRemainder } = checkBatchOptions(options);
  const order = new Int32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  if (rng !== undefined) shuffleInt32(order, rng);
  return chunks(order, batchSize, dropRemainder);
}

/** {@link batchIndices} over `items`, yielding the items themselves. */
export function batchItems<T>(items: readonly T[], options: BatchOptions): IterableIterator<T[]> {
  if (!Array.isArray(items)) throw badArgument('BAD_DATA', 'items', 'an array', items);
  const batches = batchIndices(items.length, options);
  return (function* () {
    for (const batch of batches) yield Array.from(batch, (i) => items[i] as T);
  })();
}

export function checkBatchOptions(options: BatchOptions): { batchSize: number; rng?: Rng; dropRemainder: boolean } {
  const o = optionsRecord(options, 'options');
  assertPositiveInteger(o.batchSize, 'options.batchSize');
  if (o.rng !== undefined) assertRng(o.rng, 'options.rng');
  const dropRemainder = o.dropRemainder ?? false;
  assertBoolean(dropRemainder, 'options.dropRemainder');
  return o.rng === undefined
    ? { batchSize: o.batchSize, dropRemainder }
    : { batchSize: o.batchSize, rng: o.rng, dropRemainder };
}

/** Fisher–Yates with `Rng`'s draws, on a typed array (Rng.shuffle takes plain arrays). */
export function shuffleInt32(items: Int32Array, rng: Rng): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = items[i] as number;
    items[i] = items[j] as number;
    items[j] = t;
  }
}

function* chunks(order: Int32Array, batchSize: number, dropRemainder: boolean): IterableIterator<Int32Array> {
  for (let start = 0; start < order.length; start += batchSize) {
    const end = Math.min(start + batchSize, order.length);
    if (dropRemainder && end - start < batchSize) return;
    yield order.slice(start, end);
  }
}
