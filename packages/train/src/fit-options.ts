import { assertPositiveInteger, badArgument, isTensor, type Rng } from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';
import { BUDGET_CLOCKS, type BudgetClock } from './budget-clock.js';
import type { Callbacks } from './callbacks.js';
import type { Checkpoint } from './checkpoint/format.js';
import type { ClipConfig } from './clipping.js';
import type { EarlyStoppingConfig } from './early-stopping.js';
import { BATCHING_OPTION_NAMES, type BatchingOptions, checkBatchingOptions, isInMemoryData } from './in-memory-data.js';
import type { LossSummary } from './loss-history.js';
import type { OptimizerConfig } from './optimizers.js';
import type { ScheduleConfig } from './schedules.js';
import type { NonFinitePolicy } from './step.js';

/**
 * Batches made on demand. `fit` owns every batch it is given: it disposes each one's
 * tensors after training (or validating) on it, so `train` must make new tensors each
 * time it yields.
 */
export interface FitData<Batch> {
  /**
   * The epoch's training batches, shuffled with `rng` (a fresh stream per epoch). It must
   * yield the same batches in the same order for the same `rng` and `epoch`: a resume
   * skips the batches already trained on.
   */
  train(rng: Rng, epoch: number): Iterable<Batch> | AsyncIterable<Batch>;
  /** Validation batches, run after each epoch with training off. */
  validation?(): Iterable<Batch> | AsyncIterable<Batch>;
}

/**
 * How `fit` trains: epochs and stopping rules, the optimizer and its schedule, clipping,
 * truncated BPTT, randomness, callbacks and checkpoints, and, for in-memory data, batching.
 * Every option is checked before training starts; an unknown name is an error.
 */
export interface FitOptions extends BatchingOptions {
  readonly epochs?: number;
  /** Stop after this many optimizer steps in all (across epochs and resumes), exactly, TBPTT chunks included. */
  readonly maxSteps?: number;
  /** Stop starting new steps after this many seconds. */
  readonly timeBudgetSeconds?: number;
  /** The clock `timeBudgetSeconds` counts: `'wall'` (default) or this process's `'cpu'` time. */
  readonly timeBudgetClock?: BudgetClock;
  /** Stop before the next step once this signal is aborted (Ctrl-C); the final checkpoint is still saved. */
  readonly signal?: AbortSignal;
  readonly optimizer: OptimizerConfig;
  readonly schedule?: ScheduleConfig;
  readonly clip?: ClipConfig;
  /** Truncated BPTT: cut each batch into chunks of `k` steps (batches must be `SequenceBatch`es). */
  readonly tbptt?: { readonly k: number };
  /** A non-finite loss or gradient stops training (default) or skips the step. */
  readonly nonFinite?: NonFinitePolicy;
  readonly earlyStopping?: EarlyStoppingConfig;
  readonly seed?: number;
  readonly callbacks?: Callbacks;
  /**
   * Called with a snapshot every `every` steps and once more when `fit` returns (also after
   * a stop); e.g. `saveCheckpoint` from `@recur/train/node`.
   */
  readonly checkpoint?: { readonly every: number; readonly save: (checkpoint: Checkpoint) => Promise<void> };
  /** Resume exactly from this checkpoint (same model, data and options). */
  readonly resumeFrom?: Checkpoint;
  /** Stored in checkpoints as `config` (JSON). */
  readonly config?: unknown;
}

/** Why `fit` returned. Only `completed` and `earlyStopping` ran to the end; the others can be resumed. */
export type StopReason = 'completed' | 'earlyStopping' | 'maxSteps' | 'timeBudget' | 'aborted' | 'shouldStop';

/**
 * Where training stands: the next optimizer step is chunk `chunk` (truncated BPTT; 0
 * otherwise) of batch `batch` of epoch `epoch`, all counted from 0. `epoch` is also the
 * number of epochs completed.
 */
export interface FitPosition {
  readonly epoch: number;
  readonly batch: number;
  readonly chunk: number;
}

/** What `fit` did: steps and epochs, the loss curve, validation per epoch, and why it stopped. */
export interface FitResult {
  /** Optimizer steps taken in all, those before a resume included. */
  readonly steps: number;
  /** Epochs completed in all. */
  readonly epochs: number;
  /**
   * Training loss per optimizer step (NaN for skipped steps): `losses[i]` is the loss of
   * step `firstLossStep + i`. After a resume the list starts with the last steps the
   * checkpoint kept (up to `RECENT_LOSSES_KEPT`).
   */
  readonly losses: number[];
  readonly firstLossStep: number;
  /** Running statistics over every step since step 0. */
  readonly lossSummary: LossSummary;
  /** One entry per epoch completed by this call. */
  readonly history: { epoch: number; loss: number; validation: Record<string, number> }[];
  readonly skippedSteps: number;
  readonly stoppedEarly: boolean;
  readonly bestEpoch?: number;
  readonly stopReason: StopReason;
  /** Where a resume from the final checkpoint continues. */
  readonly position: FitPosition;
}

const OPTION_NAMES: readonly (keyof FitOptions)[] = [
  ...BATCHING_OPTION_NAMES,
  'epochs',
  'maxSteps',
  'timeBudgetSeconds',
  'timeBudgetClock',
  'signal',
  'optimizer',
  'schedule',
  'clip',
  'tbptt',
  'nonFinite',
  'earlyStopping',
  'seed',
  'callbacks',
  'checkpoint',
  'resumeFrom',
  'config',
];
const CALLBACK_NAMES = ['onBatchEnd', 'onEpochEnd', 'shouldStop'];

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function onlyFields(value: Record<string, unknown>, allowed: readonly string[], argument: string): void {
  const unknown = Object.keys(value).find((k) => !allowed.includes(k));
  if (unknown !== undefined) {
    throw badArgument(
      'BAD_CONFIG',
      `${argument}.${unknown}`,
      `no such option (known: ${allowed.join(', ')})`,
      value[unknown],
    );
  }
}

function functionOrAbsent(value: unknown, argument: string): void {
  if (value !== undefined && typeof value !== 'function')
    throw badArgument('BAD_CONFIG', argument, 'a function', value);
}

/**
 * Checks `fit`'s arguments before anything is made, so a mistake costs no training: the
 * model's shape, the data's functions, every option's type and range, and unknown option
 * names (a misspelt `maxStep` would otherwise be ignored). Optimizer, schedule and early
 * stopping settings are checked by their own makers, which `fit` calls before training.
 */
export function checkFitArguments(model: unknown, data: unknown, options: unknown): void {
  if (!isObject(model) || !isObject(model.variables) || typeof model.loss !== 'function') {
    throw badArgument('BAD_CONFIG', 'model', 'a TrainableModel ({ variables, loss })', model);
  }
  const variables = Object.entries(model.variables);
  if (variables.length === 0) throw badArgument('BAD_CONFIG', 'model.variables', 'at least one variable', {});
  for (const [name, v] of variables) {
    if (!(v instanceof tf.Variable)) {
      const hint = isTensor(v)
        ? ' (a plain tensor cannot be trained: make the model with trainable() or toVariables() from @recur/layers, or tf.variable)'
        : '';
      throw badArgument('BAD_CONFIG', `model.variables.${name}`, `a tf.Variable${hint}`, v);
    }
    if (v.isDisposed)
      throw badArgument('BAD_CONFIG', `model.variables.${name}`, 'a live variable', 'a disposed variable');
  }
  const inMemory = isInMemoryData(data);
  if (!inMemory) {
    if (!isObject(data) || typeof data.train !== 'function') {
      throw badArgument(
        'BAD_CONFIG',
        'data.train',
        'a function (rng, epoch) => batches, or in-memory data { inputs, targets, mask? }',
        isObject(data) ? data.train : data,
      );
    }
    functionOrAbsent(data.validation, 'data.validation');
  }
  if (!isObject(options)) throw badArgument('BAD_CONFIG', 'options', 'an object', options);
  onlyFields(options, OPTION_NAMES, 'options');
  checkBatchingOptions(options, inMemory);
  if (options.epochs !== undefined) assertPositiveInteger(options.epochs, 'epochs');
  if (options.maxSteps !== undefined) assertPositiveInteger(options.maxSteps, 'maxSteps');
  const budget = options.timeBudgetSeconds;
  if (budget !== undefined && !(typeof budget === 'number' && budget > 0)) {
    throw badArgument('BAD_CONFIG', 'timeBudgetSeconds', 'a positive number of seconds', budget);
  }
  if (
    options.timeBudgetClock !== undefined &&
    !(BUDGET_CLOCKS as readonly unknown[]).includes(options.timeBudgetClock)
  ) {
    throw badArgument('BAD_CONFIG', 'timeBudgetClock', "'wall' or 'cpu'", options.timeBudgetClock);
  }
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    throw badArgument('BAD_CONFIG', 'signal', 'an AbortSignal', options.signal);
  }
  if (options.clip !== undefined) {
    if (!isObject(options.clip))
      throw badArgument('BAD_CONFIG', 'clip', 'an object { globalNorm?, value? }', options.clip);
    onlyFields(options.clip, ['globalNorm', 'value'], 'clip');
    for (const key of ['globalNorm', 'value'] as const) {
      const v = options.clip[key];
      if (v !== undefined && !(typeof v === 'number' && v > 0))
        throw badArgument('BAD_CONFIG', `clip.${key}`, 'a positive number', v);
    }
  }
  if (options.tbptt !== undefined) {
    if (!isObject(options.tbptt)) throw badArgument('BAD_CONFIG', 'tbptt', 'an object { k }', options.tbptt);
    onlyFields(options.tbptt, ['k'], 'tbptt');
    assertPositiveInteger(options.tbptt.k, 'tbptt.k');
  }
  if (options.nonFinite !== undefined && options.nonFinite !== 'stop' && options.nonFinite !== 'skip') {
    throw badArgument('BAD_CONFIG', 'nonFinite', "'stop' or 'skip'", options.nonFinite);
  }
  if (options.seed !== undefined && !(typeof options.seed === 'number' && Number.isSafeInteger(options.seed))) {
    throw badArgument('BAD_CONFIG', 'seed', 'an integer', options.seed);
  }
  if (options.callbacks !== undefined) {
    if (!isObject(options.callbacks))
      throw badArgument('BAD_CONFIG', 'callbacks', 'an object of functions', options.callbacks);
    onlyFields(options.callbacks, CALLBACK_NAMES, 'callbacks');
    for (const name of CALLBACK_NAMES) functionOrAbsent(options.callbacks[name], `callbacks.${name}`);
  }
  if (options.checkpoint !== undefined) {
    if (!isObject(options.checkpoint))
      throw badArgument('BAD_CONFIG', 'checkpoint', 'an object { every, save }', options.checkpoint);
    onlyFields(options.checkpoint, ['every', 'save'], 'checkpoint');
    assertPositiveInteger(options.checkpoint.every, 'checkpoint.every');
    if (typeof options.checkpoint.save !== 'function') {
      throw badArgument('BAD_CONFIG', 'checkpoint.save', 'a function (checkpoint) => Promise', options.checkpoint.save);
    }
  }
  if (options.resumeFrom !== undefined) {
    const r = options.resumeFrom;
    if (!isObject(r) || !isObject(r.weights) || !Array.isArray(r.optimizer)) {
      throw badArgument('BAD_CONFIG', 'resumeFrom', 'a Checkpoint (from decodeCheckpoint or loadCheckpoint)', r);
    }
    for (const key of ['step', 'epoch'] as const) {
      if (!(typeof r[key] === 'number' && Number.isSafeInteger(r[key]) && (r[key] as number) >= 0)) {
        throw badArgument('BAD_CONFIG', `resumeFrom.${key}`, 'a non-negative integer', r[key]);
      }
    }
  }
  if (options.config !== undefined) {
    try {
      JSON.stringify(options.config);
    } catch (cause) {
      throw badArgument('BAD_CONFIG', 'config', `JSON (${(cause as Error).message})`, typeof options.config);
    }
  }
}
