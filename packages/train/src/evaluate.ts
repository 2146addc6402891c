import { badArgument, Rng } from '@recur/core';
import { type InMemoryData, inMemoryFitData, isInMemoryData } from './in-memory-data.js';
import type { SequenceBatch, TrainableModel } from './model.js';
import { meanOverBatches } from './validate.js';

/** How `evaluate` batches in-memory data. */
export interface EvaluateOptions {
  /** Examples per batch for in-memory data. Default 32. */
  readonly batchSize?: number;
}

/**
 * The model's loss and metrics with training off, as numbers (`{ loss, accuracy, … }`),
 * each the mean over batches, as `fit` reports validation. In-memory data stays the
 * caller's; batches from an iterable are disposed after use, as in `fit`.
 *
 * ```ts
 * const { loss, accuracy } = await evaluate(model, { inputs: testIds, targets: testLabels });
 * ```
 */
export async function evaluate<State>(
  model: TrainableModel<SequenceBatch, State>,
  data: InMemoryData,
  options?: EvaluateOptions,
): Promise<Record<string, number>>;
export async function evaluate<Batch, State>(
  model: TrainableModel<Batch, State>,
  data: Iterable<Batch> | AsyncIterable<Batch>,
  options?: EvaluateOptions,
): Promise<Record<string, number>>;
export async function evaluate<Batch, State>(
  model: TrainableModel<Batch, State>,
  data: InMemoryData | Iterable<Batch> | AsyncIterable<Batch>,
  options: EvaluateOptions = {},
): Promise<Record<string, number>> {
  if (model === null || typeof model !== 'object' || typeof model.loss !== 'function') {
    throw badArgument('BAD_CONFIG', 'model', 'a TrainableModel ({ variables, loss })', model);
  }
  if (options === null || typeof options !== 'object') throw badArgument('BAD_CONFIG', 'options', 'an object', options);
  const { batchSize } = options;
  if (batchSize !== undefined && !(typeof batchSize === 'number' && Number.isSafeInteger(batchSize) && batchSize > 0)) {
    throw badArgument('BAD_CONFIG', 'options.batchSize', 'a positive integer', batchSize);
  }
  // Evaluation draws nothing at random; the master state only feeds the (unused) step rng.
  const master = new Rng(0).state();
  if (isInMemoryData(data)) {
    const memory = inMemoryFitData(data, { shuffle: false, ...(batchSize === undefined ? {} : { batchSize }) });
    try {
      return await meanOverBatches(
        model as TrainableModel<SequenceBatch, State>,
        memory.data.train(Rng.fromState(master), 0),
        master,
      );
    } finally {
      memory.dispose();
    }
  }
  const iterable =
    data !== null && typeof data === 'object' && (Symbol.iterator in data || Symbol.asyncIterator in data);
  if (!iterable) {
    throw badArgument('BAD_DATA', 'data', 'in-memory { inputs, targets, mask? } or an iterable of batches', data);
  }
  if (batchSize !== undefined) {
    throw badArgument(
      'BAD_CONFIG',
      'options.batchSize',
      'no value for an iterable of batches (they are batched already)',
      batchSize,
    );
  }
  return meanOverBatches(model, data as Iterable<Batch>, master);
}
