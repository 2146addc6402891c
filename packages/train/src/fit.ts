import { RecurError, Rng } from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';
import { startBudgetClock } from './budget-clock.js';
import { EarlyStopping } from './early-stopping.js';
import {
  checkFitArguments,
  type FitData,
  type FitOptions,
  type FitPosition,
  type FitResult,
  type StopReason,
} from './fit-options.js';
import { type InMemoryData, inMemoryFitData, isInMemoryData } from './in-memory-data.js';
import { LossHistory } from './loss-history.js';
import type { SequenceBatch, TrainableModel } from './model.js';
import { makeOptimizer, setLearningRate } from './optimizers.js';
import { derivedRng } from './rng-streams.js';
import { schedule as makeSchedule } from './schedules.js';
import { restoreTrainingState, snapshotTrainingState } from './state.js';
import { stateTensors, trainStep } from './step.js';
import { chunkByTime } from './tbptt.js';
import { validate } from './validate.js';

export type { FitData, FitOptions, FitPosition, FitResult, StopReason } from './fit-options.js';

/**
 * Trains `model` on `data`: in-memory examples `{ inputs, targets, mask? }` (tensors or
 * arrays), which `fit` batches with `batchSize`, `shuffle` and `validationSplit` as
 * tfjs-layers' `model.fit(x, y)` does and never disposes; or a `FitData` whose
 * `train(rng, epoch)` yields batches, each of which `fit` **disposes** once it has
 * trained on it (yield fresh tensors every epoch, never the same ones twice).
 *
 * Deterministic: the same seed, data and backend give a
 * bit-identical loss curve. Whatever stops it (`maxSteps`, the time budget, `signal`,
 * `shouldStop`, or a crash after a checkpoint), resuming from the checkpoint continues
 * from the exact step (the epoch, batch and TBPTT chunk, with the carried state, the
 * optimizer's slots and the schedule's step), so the weights and optimizer state end
 * bit for bit as in a run that never stopped. The optimizer is made here and disposed
 * before returning.
 */
export async function fit<State>(
  model: TrainableModel<SequenceBatch, State>,
  data: InMemoryData,
  options: FitOptions,
): Promise<FitResult>;
export async function fit<Batch, State>(
  model: TrainableModel<Batch, State>,
  data: FitData<Batch>,
  options: FitOptions,
): Promise<FitResult>;
export async function fit<Batch, State>(
  model: TrainableModel<Batch, State>,
  data: FitData<Batch> | InMemoryData,
  options: FitOptions,
): Promise<FitResult> {
  checkFitArguments(model, data, options);
  if (!isInMemoryData(data)) return fitBatches(model, data, options);
  const memory = inMemoryFitData(data, options);
  try {
    return await fitBatches(model as TrainableModel<SequenceBatch, State>, memory.data, options);
  } finally {
    memory.dispose();
  }
}

async function fitBatches<Batch, State>(
  model: TrainableModel<Batch, State>,
  data: FitData<Batch>,
  options: FitOptions,
): Promise<FitResult> {
  const epochs = options.epochs ?? 1;
  const lr = options.schedule !== undefined ? makeSchedule(options.schedule) : undefined;
  const master = new Rng(options.seed ?? 0).state();
  const optimizer = makeOptimizer(options.optimizer);
  let early: EarlyStopping | undefined;
  let carry: State | undefined;
  try {
    early = options.earlyStopping !== undefined ? new EarlyStopping(options.earlyStopping, model.variables) : undefined;
    let position: FitPosition = { epoch: 0, batch: 0, chunk: 0 };
    let steps = 0;
    let losses = new LossHistory();
    let skippedSteps = 0;
    let epochLoss = 0;
    let epochSteps = 0;
    if (options.resumeFrom !== undefined) {
      const r = await restoreTrainingState(options.resumeFrom, model.variables, optimizer, early);
      ({
        position,
        progress: { losses, skippedSteps, epochLoss, epochSteps },
      } = r);
      carry = r.carry as State | undefined;
      steps = options.resumeFrom.step;
    }
    const history: FitResult['history'] = [];
    let stoppedEarly = false;
    let lastCheckpoint = steps;
    const budgetSeconds = startBudgetClock(options.timeBudgetClock);
    const stopRequested = (): StopReason | undefined => {
      if (options.maxSteps !== undefined && steps >= options.maxSteps) return 'maxSteps';
      if (options.signal?.aborted) return 'aborted';
      if (options.timeBudgetSeconds !== undefined && budgetSeconds() >= options.timeBudgetSeconds) return 'timeBudget';
      if (options.callbacks?.shouldStop?.()) return 'shouldStop';
      return undefined;
    };
    const snapshot = (carried: State | undefined) =>
      snapshotTrainingState({
        variables: model.variables,
        optimizer,
        step: steps,
        position,
        master,
        config: options.config,
        progress: { losses, skippedSteps, epochLoss, epochSteps },
        early,
        carry: carried,
      });
    let stopped: StopReason | undefined;
    for (let epoch = position.epoch; epoch < epochs; epoch++) {
      stopped = stopRequested();
      if (stopped !== undefined) break;
      const epochStart = performance.now();
      if (position.batch === 0 && position.chunk === 0) {
        epochLoss = 0;
        epochSteps = 0;
      }
      let batchIndex = 0;
      for await (const batch of epochBatches(data, derivedRng(master, 'epoch', epoch), epoch)) {
        if (batchIndex < position.batch) {
          batchIndex++;
          disposeBatch(batch);
          continue;
        }
        let pieces: Batch[] = [batch];
        // The state entering the next chunk: undefined at a batch's start, restored on a resume mid-batch.
        let state = carry;
        carry = undefined;
        try {
          pieces =
            options.tbptt !== undefined ? (chunkByTime(batch as SequenceBatch, options.tbptt.k) as Batch[]) : [batch];
          if (position.chunk >= pieces.length) {
            throw new RecurError(
              'BAD_DATA',
              `fit: resuming at chunk ${position.chunk} of batch ${batchIndex}, which has ${pieces.length} chunks (different data or tbptt.k)`,
            );
          }
          for (let c = position.chunk; c < pieces.length; c++) {
            stopped = stopRequested();
            if (stopped !== undefined) {
              // Stopping inside a batch: the carried state goes into the final checkpoint.
              carry = state;
              state = undefined;
              break;
            }
            const piece = pieces[c] as Batch;
            const t0 = performance.now();
            const rate = lr?.(steps);
            if (rate !== undefined) setLearningRate(optimizer, rate);
            const previous = state;
            const out = trainStep(
              model,
              piece,
              { training: true, rng: derivedRng(master, 'step', steps), state },
              optimizer,
              { clip: options.clip, nonFinite: options.nonFinite ?? 'stop', step: steps },
            );
            tf.dispose(stateTensors(previous));
            state = out.state;
            if (out.skipped) skippedSteps++;
            else {
              epochLoss += out.loss;
              epochSteps++;
            }
            losses.record(out.skipped ? Number.NaN : out.loss);
            steps++;
            const last = c + 1 === pieces.length;
            position = last ? { epoch, batch: batchIndex + 1, chunk: 0 } : { epoch, batch: batchIndex, chunk: c + 1 };
            const seconds = Math.max((performance.now() - t0) / 1000, 1e-9);
            const shape = (piece as Partial<SequenceBatch>).inputs?.shape ?? [];
            await options.callbacks?.onBatchEnd?.({
              step: steps,
              epoch,
              batch: batchIndex,
              chunk: c,
              loss: out.loss,
              metrics: out.metrics,
              learningRate: rate ?? (optimizer as unknown as { learningRate: number }).learningRate,
              gradNorm: out.gradNorm,
              samplesPerSecond: (shape[0] ?? 0) / seconds,
              tokensPerSecond: ((shape[0] ?? 0) * (shape.length >= 2 ? (shape[1] as number) : 1)) / seconds,
              skippedSteps,
            });
            if (options.checkpoint !== undefined && steps - lastCheckpoint >= options.checkpoint.every) {
              lastCheckpoint = steps;
              await options.checkpoint.save(await snapshot(last ? undefined : state));
            }
          }
        } finally {
          // Also when a step throws (NAN_LOSS): the batch, its chunks and the carried state go.
          tf.dispose(stateTensors(state));
          for (const p of pieces) if (p !== batch) disposeBatch(p);
          disposeBatch(batch);
        }
        if (stopped !== undefined) break;
        batchIndex++;
      }
      if (stopped !== undefined) break;
      if (batchIndex === 0) throw new RecurError('BAD_DATA', `fit: data.train() yielded no batches in epoch ${epoch}`);
      if (batchIndex < position.batch) {
        throw new RecurError(
          'BAD_DATA',
          `fit: resuming at batch ${position.batch} of epoch ${epoch}, which has ${batchIndex} batches (different data)`,
        );
      }
      const validation = data.validation !== undefined ? await validate(model, data.validation(), master) : {};
      const loss = epochSteps > 0 ? epochLoss / epochSteps : Number.NaN;
      history.push({ epoch, loss, validation });
      position = { epoch: epoch + 1, batch: 0, chunk: 0 };
      await options.callbacks?.onEpochEnd?.({
        epoch,
        step: steps,
        loss,
        validation,
        seconds: (performance.now() - epochStart) / 1000,
      });
      if (early?.update(epoch, { loss, ...validation })) {
        stoppedEarly = true;
        break;
      }
    }
    // A stopped run keeps its current weights, so that resuming continues from them.
    if (stopped === undefined) early?.finish();
    if (options.checkpoint !== undefined) await options.checkpoint.save(await snapshot(carry));
    return {
      steps,
      epochs: position.epoch,
      losses: losses.losses,
      firstLossStep: losses.firstStep,
      lossSummary: losses.summary(),
      history,
      skippedSteps,
      stoppedEarly,
      ...(early?.bestEpoch !== undefined ? { bestEpoch: early.bestEpoch } : {}),
      stopReason: stopped ?? (stoppedEarly ? 'earlyStopping' : 'completed'),
      position,
    };
  } finally {
    tf.dispose(stateTensors(carry));
    early?.dispose();
    optimizer.dispose();
  }
}

function epochBatches<Batch>(data: FitData<Batch>, rng: Rng, epoch: number): Iterable<Batch> | AsyncIterable<Batch> {
  const batches = data.train(rng, epoch) as unknown;
  const iterable =
    batches !== null && typeof batches === 'object' && (Symbol.iterator in batches || Symbol.asyncIterator in batches);
  if (!iterable)
    throw new RecurError(
      'BAD_DATA',
      `fit: data.train(rng, ${epoch}) must return an iterable of batches, received ${String(batches)}`,
    );
  return batches as Iterable<Batch>;
}

function disposeBatch(batch: unknown): void {
  tf.dispose(stateTensors(batch));
}
