import { badArgument, RecurError, Rng } from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';
import type { Callbacks } from './callbacks.js';
import type { Checkpoint } from './checkpoint/format.js';
import type { ClipConfig } from './clipping.js';
import { EarlyStopping, type EarlyStoppingConfig } from './early-stopping.js';
import type { SequenceBatch, TrainableModel } from './model.js';
import { makeOptimizer, type OptimizerConfig, setLearningRate } from './optimizers.js';
import { derivedRng } from './rng-streams.js';
import { schedule as makeSchedule, type ScheduleConfig } from './schedules.js';
import { restoreTrainingState, snapshotTrainingState } from './state.js';
import { type NonFinitePolicy, stateTensors, trainStep } from './step.js';
import { chunkByTime } from './tbptt.js';
import { validate } from './validate.js';

export interface FitData<Batch> {
  /** The epoch's training batches, shuffled with `rng` (a fresh stream per epoch). */
  train(rng: Rng, epoch: number): Iterable<Batch> | AsyncIterable<Batch>;
  /** Validation batches, run after each epoch with training off. */
  validation?(): Iterable<Batch> | AsyncIterable<Batch>;
}

export interface FitOptions {
  readonly epochs?: number;
  /** Stop after this many optimizer steps in all (across epochs). */
  readonly maxSteps?: number;
  /** Stop starting new steps after this many seconds. */
  readonly timeBudgetSeconds?: number;
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
  /** Called with a snapshot every `every` steps and at the end; e.g. `saveCheckpoint` from `@recur/train/node`. */
  readonly checkpoint?: { readonly every: number; readonly save: (checkpoint: Checkpoint) => Promise<void> };
  /** Resume exactly from this checkpoint (same model, data and options). */
  readonly resumeFrom?: Checkpoint;
  /** Stored in checkpoints as `config`. */
  readonly config?: unknown;
}

export interface FitResult {
  readonly steps: number;
  readonly epochs: number;
  /** Training loss of every optimizer step, in order (NaN for skipped steps). */
  readonly losses: number[];
  readonly history: { epoch: number; loss: number; validation: Record<string, number> }[];
  readonly skippedSteps: number;
  readonly stoppedEarly: boolean;
  readonly bestEpoch?: number;
}

/**
 * Trains `model` on `data`. Deterministic: the same seed, data and backend give a
 * bit-identical loss curve, and resuming from a checkpoint gives the curve of a run that
 * never stopped. The optimizer is made here and disposed before returning.
 */
export async function fit<Batch, State>(
  model: TrainableModel<Batch, State>,
  data: FitData<Batch>,
  options: FitOptions,
): Promise<FitResult> {
  const epochs = options.epochs ?? 1;
  if (!Number.isInteger(epochs) || epochs <= 0) throw badArgument('BAD_CONFIG', 'epochs', 'a positive integer', epochs);
  if (options.maxSteps !== undefined && !(Number.isInteger(options.maxSteps) && options.maxSteps > 0)) {
    throw badArgument('BAD_CONFIG', 'maxSteps', 'a positive integer', options.maxSteps);
  }
  if (Object.keys(model.variables).length === 0)
    throw badArgument('BAD_CONFIG', 'model.variables', 'at least one variable', {});
  const lr = options.schedule !== undefined ? makeSchedule(options.schedule) : undefined;
  const optimizer = makeOptimizer(options.optimizer);
  const master = new Rng(options.seed ?? 0).state();
  const early =
    options.earlyStopping !== undefined ? new EarlyStopping(options.earlyStopping, model.variables) : undefined;
  const result = {
    steps: 0,
    epochs: 0,
    losses: [] as number[],
    history: [] as FitResult['history'],
    skippedSteps: 0,
    stoppedEarly: false,
  };
  let startEpoch = 0;
  let skipBatches = 0;
  let epochLoss = 0;
  let epochSteps = 0;
  if (options.resumeFrom !== undefined) {
    const r = await restoreTrainingState(options.resumeFrom, model.variables, optimizer);
    result.steps = options.resumeFrom.step;
    startEpoch = options.resumeFrom.epoch;
    skipBatches = r.batchInEpoch;
    result.losses.push(...r.progress.losses);
    result.skippedSteps = r.progress.skippedSteps;
    if (r.progress.early !== undefined) early?.restore(r.progress.early);
    epochLoss = r.progress.epochLoss;
    epochSteps = r.progress.epochSteps;
  }
  let lastCheckpoint = result.steps;
  const started = performance.now();
  const outOfTime = () =>
    (options.maxSteps !== undefined && result.steps >= options.maxSteps) ||
    (options.timeBudgetSeconds !== undefined && (performance.now() - started) / 1000 >= options.timeBudgetSeconds) ||
    (options.callbacks?.shouldStop?.() ?? false);
  const snapshot = (epoch: number, batchInEpoch: number) =>
    snapshotTrainingState({
      variables: model.variables,
      optimizer,
      step: result.steps,
      epoch,
      batchInEpoch,
      master,
      config: options.config,
      progress: {
        losses: result.losses,
        skippedSteps: result.skippedSteps,
        epochLoss,
        epochSteps,
        early: early?.state(),
      },
    });
  try {
    for (let epoch = startEpoch; epoch < epochs && !outOfTime(); epoch++) {
      const epochStart = performance.now();
      if (skipBatches === 0) {
        epochLoss = 0;
        epochSteps = 0;
      }
      let batchIndex = 0;
      for await (const batch of data.train(derivedRng(master, 'epoch', epoch), epoch)) {
        if (batchIndex < skipBatches) {
          batchIndex++;
          disposeBatch(batch);
          continue;
        }
        if (outOfTime()) {
          disposeBatch(batch);
          break;
        }
        let pieces: Batch[] = [batch];
        let state: State | undefined;
        try {
          pieces =
            options.tbptt !== undefined ? (chunkByTime(batch as SequenceBatch, options.tbptt.k) as Batch[]) : [batch];
          for (const piece of pieces) {
            const t0 = performance.now();
            const rate = lr?.(result.steps);
            if (rate !== undefined) setLearningRate(optimizer, rate);
            const previous = state;
            const out = trainStep(
              model,
              piece,
              { training: true, rng: derivedRng(master, 'step', result.steps), state },
              optimizer,
              {
                clip: options.clip,
                nonFinite: options.nonFinite ?? 'stop',
                step: result.steps,
              },
            );
            tf.dispose(stateTensors(previous));
            state = out.state;
            if (out.skipped) result.skippedSteps++;
            else {
              epochLoss += out.loss;
              epochSteps++;
            }
            result.losses.push(out.skipped ? Number.NaN : out.loss);
            result.steps++;
            const seconds = Math.max((performance.now() - t0) / 1000, 1e-9);
            const shape = (piece as Partial<SequenceBatch>).inputs?.shape ?? [];
            await options.callbacks?.onBatchEnd?.({
              step: result.steps,
              epoch,
              batch: batchIndex,
              loss: out.loss,
              metrics: out.metrics,
              learningRate: rate ?? (optimizer as unknown as { learningRate: number }).learningRate,
              gradNorm: out.gradNorm,
              samplesPerSecond: (shape[0] ?? 0) / seconds,
              tokensPerSecond: ((shape[0] ?? 0) * (shape.length >= 2 ? (shape[1] as number) : 1)) / seconds,
              skippedSteps: result.skippedSteps,
            });
          }
        } finally {
          // Also when a step throws (NAN_LOSS): the batch, its chunks and the carried state go.
          tf.dispose(stateTensors(state));
          for (const p of pieces) if (p !== batch) disposeBatch(p);
          disposeBatch(batch);
        }
        batchIndex++;
        if (options.checkpoint !== undefined && result.steps - lastCheckpoint >= options.checkpoint.every) {
          lastCheckpoint = result.steps;
          await options.checkpoint.save(await snapshot(epoch, batchIndex));
        }
      }
      skipBatches = 0;
      if (batchIndex === 0 && !outOfTime()) {
        throw new RecurError('BAD_DATA', `fit: data.train() yielded no batches in epoch ${epoch}`);
      }
      const validation = data.validation !== undefined ? await validate(model, data.validation(), master) : {};
      const loss = epochSteps > 0 ? epochLoss / epochSteps : Number.NaN;
      result.history.push({ epoch, loss, validation });
      result.epochs = epoch + 1;
      await options.callbacks?.onEpochEnd?.({
        epoch,
        step: result.steps,
        loss,
        validation,
        seconds: (performance.now() - epochStart) / 1000,
      });
      if (early?.update(epoch, { loss, ...validation })) {
        result.stoppedEarly = true;
        break;
      }
    }
    early?.finish();
    if (options.checkpoint !== undefined) await options.checkpoint.save(await snapshot(result.epochs, 0));
    return { ...result, ...(early?.bestEpoch !== undefined ? { bestEpoch: early.bestEpoch } : {}) };
  } finally {
    early?.dispose();
    optimizer.dispose();
  }
}

function disposeBatch(batch: unknown): void {
  tf.dispose(stateTensors(batch));
}
