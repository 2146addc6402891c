import { badArgument, isTensor, type Rng } from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';
import type { FitData } from './fit-options.js';
import type { SequenceBatch } from './model.js';

/** Nested arrays of numbers, as `tf.tensor` takes them (they become float32). */
export type NumberArray = number | readonly NumberArray[];

/**
 * Training data held in memory, as tfjs-layers' `model.fit(x, y)`: example `i` is row `i`
 * of each. `fit` cuts it into batches (`batchSize`, `shuffle`, `validationSplit`) and
 * never disposes it: the tensors stay the caller's. Arrays become float32 tensors for the
 * run; pass int32 ids (for `embedding`) as a tensor.
 */
export interface InMemoryData {
  /** `[examples, ...]`, e.g. int32 ids `[examples, time]`. */
  readonly inputs: tf.Tensor | NumberArray;
  /** `[examples, ...]`: class ids or values, as the model's loss expects. */
  readonly targets: tf.Tensor | NumberArray;
  /** `[examples, time]`, 1 for real steps, 0 for padding. */
  readonly mask?: tf.Tensor2D | NumberArray;
}

/** How `fit` cuts in-memory data into batches (tfjs-layers' names and defaults). */
export interface BatchingOptions {
  /** Examples per batch; the last batch may be short. Default 32. */
  readonly batchSize?: number;
  /** Shuffle the training examples each epoch (with the run's seed). Default true. */
  readonly shuffle?: boolean;
  /** Hold out this fraction of the examples, the last ones before shuffling, for validation. Default 0. */
  readonly validationSplit?: number;
}

export const BATCHING_OPTION_NAMES = ['batchSize', 'shuffle', 'validationSplit'] as const;

/** True when `data` is in-memory examples rather than a `FitData` of batch iterators. */
export function isInMemoryData(data: unknown): data is InMemoryData {
  return data !== null && typeof data === 'object' && 'inputs' in data && !('train' in data);
}

function asTensor(value: unknown, argument: string): { tensor: tf.Tensor; made: boolean } {
  if (isTensor(value)) {
    if (value.isDisposed) throw badArgument('BAD_DATA', argument, 'a live tensor', 'a disposed tensor');
    if (value.rank === 0) throw badArgument('BAD_DATA', argument, 'one row per example (rank ≥ 1)', value);
    return { tensor: value, made: false };
  }
  if (!Array.isArray(value)) throw badArgument('BAD_DATA', argument, 'a tensor or an array of numbers', value);
  const shape = arrayShape(value, argument);
  return { tensor: tf.tensor(value.flat(Number.POSITIVE_INFINITY) as number[], shape), made: true };
}

/** The shape of nested arrays, checked to be rectangular (tfjs infers it from the first elements only). */
function arrayShape(value: readonly unknown[], argument: string): number[] {
  const shape: number[] = [];
  for (let level: unknown = value; Array.isArray(level); level = level[0]) shape.push(level.length);
  const check = (node: unknown, depth: number, where: string): void => {
    if (depth === shape.length) {
      if (typeof node !== 'number') throw badArgument('BAD_DATA', where, 'a number', node);
      return;
    }
    if (!Array.isArray(node) || node.length !== shape[depth]) {
      throw badArgument(
        'BAD_DATA',
        where,
        `an array of ${shape[depth]} entries (a rectangular array of shape [${shape.join(', ')}])`,
        node,
      );
    }
    node.forEach((child, i) => {
      check(child, depth + 1, `${where}[${i}]`);
    });
  };
  check(value, 0, argument);
  return shape;
}

/** Checks the batching options; they apply to in-memory data only. */
export function checkBatchingOptions(options: BatchingOptions & Record<string, unknown>, inMemory: boolean): void {
  for (const name of BATCHING_OPTION_NAMES) {
    if (options[name] !== undefined && !inMemory) {
      throw badArgument(
        'BAD_CONFIG',
        name,
        'no value: it applies to in-memory data ({ inputs, targets }); data.train() makes its own batches',
        options[name],
      );
    }
  }
  const { batchSize, shuffle, validationSplit } = options;
  if (batchSize !== undefined && !(typeof batchSize === 'number' && Number.isSafeInteger(batchSize) && batchSize > 0)) {
    throw badArgument('BAD_CONFIG', 'batchSize', 'a positive integer', batchSize);
  }
  if (shuffle !== undefined && typeof shuffle !== 'boolean')
    throw badArgument('BAD_CONFIG', 'shuffle', 'a boolean', shuffle);
  if (
    validationSplit !== undefined &&
    !(typeof validationSplit === 'number' && validationSplit >= 0 && validationSplit < 1)
  ) {
    throw badArgument('BAD_CONFIG', 'validationSplit', 'a number in [0, 1)', validationSplit);
  }
}

/**
 * Batches over in-memory examples. Each batch is a set of new tensors (`tf.gather` of the
 * rows), which `fit` disposes after its step; `dispose()` frees only the tensors made here
 * from arrays, never the caller's.
 */
export function inMemoryFitData(
  data: InMemoryData,
  options: BatchingOptions,
): { readonly data: FitData<SequenceBatch>; dispose(): void } {
  const made: tf.Tensor[] = [];
  try {
    const fields: [keyof InMemoryData, tf.Tensor][] = [];
    for (const key of ['inputs', 'targets', 'mask'] as const) {
      if (key === 'mask' && data.mask === undefined) continue;
      const { tensor, made: isNew } = asTensor(data[key], `data.${key}`);
      if (isNew) made.push(tensor);
      fields.push([key, tensor]);
    }
    const count = (fields[0] as [string, tf.Tensor])[1].shape[0] as number;
    for (const [key, t] of fields) {
      if (t.shape[0] !== count) {
        throw badArgument('BAD_DATA', `data.${key}`, `${count} rows (as data.inputs)`, t);
      }
    }
    const split = options.validationSplit ?? 0;
    // tfjs-layers' rule: the last examples, before any shuffle, are held out.
    const trainCount = Math.floor(count * (1 - split));
    if (trainCount === 0) throw badArgument('BAD_DATA', 'data.inputs', 'at least one training example', count);
    if (split > 0 && trainCount === count) {
      throw badArgument(
        'BAD_CONFIG',
        'validationSplit',
        `a fraction that holds out at least one of ${count} examples`,
        split,
      );
    }
    const batchSize = options.batchSize ?? 32;
    const batches = (rows: number[]): Iterable<SequenceBatch> =>
      (function* () {
        for (let start = 0; start < rows.length; start += batchSize) {
          const picked = tf.tensor1d(rows.slice(start, start + batchSize), 'int32');
          const batch = Object.fromEntries(fields.map(([key, t]) => [key, tf.gather(t, picked)]));
          picked.dispose();
          yield batch as unknown as SequenceBatch;
        }
      })();
    const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
    return {
      data: {
        train: (rng: Rng) => {
          const rows = range(0, trainCount);
          return batches(options.shuffle === false ? rows : rng.shuffle(rows));
        },
        ...(trainCount < count ? { validation: () => batches(range(trainCount, count)) } : {}),
      },
      dispose: () => tf.dispose(made),
    };
  } catch (error) {
    tf.dispose(made);
    throw error;
  }
}
