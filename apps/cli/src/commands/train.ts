import { dirname } from 'node:path';
import { Rng } from '@recur/core';
import type { ParamTree } from '@recur/layers';
import { type BudgetClock, type Checkpoint, fit as fitModel } from '@recur/train';
import { saveCheckpoint } from '@recur/train/node';
import * as tf from '@tensorflow/tfjs-core';
import { type BackendRequest, startBackend } from '../backend.js';
import { CliError, EXIT } from '../errors.js';
import { onInterrupt } from '../interrupt.js';
import { type Io, println } from '../io.js';
import {
  MODEL_FORMAT,
  MODEL_VERSION,
  type ModelFile,
  type ModelFileConfig,
  readModelFile,
  removeTemporaries,
} from '../model/model-file.js';
import { toVariables } from '../model/params.js';
import { checkRunFolder, claimRunFolder } from '../model/run-folder.js';
import { TrainingProgress } from '../progress.js';
import { LIMITS, type SettingsOf, storedSource, type TaskName, type TrainSettings } from '../settings.js';
import { count, duration, shortPath } from '../tasks/format.js';
import type { Task } from '../tasks/task.js';
import { TASKS } from '../tasks/tasks.js';
import { optimizerOptions } from './optimizer-options.js';
import { checkResumable, checkSameNet } from './session.js';

export interface TrainRequest extends BackendRequest {
  readonly settings: TrainSettings;
  /** The model file (`<checkpoint-dir>/model.ckpt`). */
  readonly path: string;
  readonly resume: boolean;
  /** Replace a model already in the folder. */
  readonly overwrite: boolean;
  /** Held-out examples evaluated at the end (0: all). */
  readonly evalLimit: number;
  /** What the time budget counts: elapsed time or this process's CPU time. */
  readonly budgetClock: BudgetClock;
}

/** A run that never ends by steps: the time budget (or Ctrl-C) stops it. */
const UNBOUNDED_EPOCHS = 1_000_000;

/** The step training ends at, when a step or epoch limit is set. */
function lastStepOf(settings: TrainSettings, stepsPerEpoch: number): number | undefined {
  const byEpochs = settings.epochs !== undefined ? settings.epochs * stepsPerEpoch : undefined;
  if (settings.maxSteps !== undefined && byEpochs !== undefined) return Math.min(settings.maxSteps, byEpochs);
  return settings.maxSteps ?? byEpochs;
}

/** Beam widths and length penalty of the evaluation after training: greedy and the setting's beam (default 5). */
export function evalBeams(settings: TrainSettings): { beams: number[]; lengthPenalty?: number } {
  const g2p = settings.task === 'g2p' ? settings : undefined;
  const beam = g2p?.beam ?? 5;
  return {
    beams: beam > 1 ? [1, beam] : [1],
    ...(g2p?.lengthPenalty === undefined ? {} : { lengthPenalty: g2p.lengthPenalty }),
  };
}

/** Bytes per weight while training: the weight, its gradient and Adam's two moments, in float32. */
const TRAINING_BYTES_PER_WEIGHT = 16;

/** Refuses a model past the parameter limit before any weight is allocated, saying the memory it would need. */
function checkSize(parameters: number): void {
  if (parameters <= LIMITS.parameters) return;
  const gib = (parameters * TRAINING_BYTES_PER_WEIGHT) / 2 ** 30;
  throw new CliError(
    `the model would have ${count(parameters)} weights (about ${gib.toFixed(1)} GiB to train with Adam); the limit is ${count(LIMITS.parameters)}: use smaller --units, --layers or --embedding-dim`,
  );
}

/** A failed save as one line: what went wrong and which checkpoint the folder still holds. */
function saveError(error: unknown, path: string, kept: Checkpoint | undefined): CliError {
  const code = (error as NodeJS.ErrnoException).code;
  const why = code === 'ENOSPC' ? 'the disk is full (ENOSPC)' : error instanceof Error ? error.message : String(error);
  const still =
    kept === undefined
      ? 'no checkpoint was saved'
      : `${path} still holds the checkpoint of step ${kept.step}, complete`;
  return new CliError(`could not save the checkpoint: ${why}; ${still}`, EXIT.failure, { cause: error });
}

export async function trainCommand(request: TrainRequest, io: Io): Promise<number> {
  const { settings, path } = request;
  // Everything about the folder and the checkpoint is checked before any data is read or any file written.
  await checkRunFolder(path, request);
  let resumed: ModelFile | undefined;
  if (request.resume) {
    resumed = await readModelFile(path);
    checkResumable(resumed, settings);
  }
  await startBackend(request, io);
  const task = TASKS[settings.task] as unknown as Task<TaskName>;
  const session = await task.open({
    settings: settings as SettingsOf<TaskName>,
    io,
    saved: resumed?.config.preprocessing,
    use: 'train',
  });
  let variables: Record<string, tf.Variable> = {};
  let progress: TrainingProgress | undefined;
  let folder: { release(): Promise<void> } | undefined;
  const interrupt = onInterrupt(
    (line) => (progress === undefined ? println(io.err, line) : progress.note(line)),
    async () => {
      await removeTemporaries(path);
    },
  );
  try {
    if (resumed !== undefined) checkSameNet(resumed, session.net);
    checkSize(session.parameterCount);
    folder = await claimRunFolder(path);
    println(io.err, session.summary);
    const made = toVariables(session.init(new Rng(settings.seed)) as ParamTree);
    variables = made.variables;
    const weights = Object.values(variables).reduce((n, v) => n + v.size, 0);
    const budget = settings.minutes * 60;
    println(
      io.err,
      `model: ${'model' in settings && settings.model === 'tdnn' ? 'tdnn' : settings.cell} ${settings.layers}×${settings.units}, ${count(weights)} weights; ${
        settings.maxSteps !== undefined ? `at most ${settings.maxSteps} steps, ` : ''
      }budget ${duration(budget)}${request.budgetClock === 'cpu' ? ' of CPU time' : ''}${resumed !== undefined ? `; resuming from step ${resumed.checkpoint.step}` : ''}`,
    );
    const firstStep = resumed?.checkpoint.step ?? 0;
    let step = firstStep;
    let lastStep: number | undefined;
    // Validation after an epoch that the budget (or Ctrl-C) cut short would only delay the
    // held-out evaluation that follows at once.
    const data = session.data(
      () => interrupt.requested || (progress?.seconds ?? 0) >= budget || (lastStep !== undefined && step >= lastStep),
    );
    lastStep = lastStepOf(settings, data.stepsPerEpoch);
    const optimizer = optimizerOptions(settings, lastStep);
    const config: ModelFileConfig = {
      format: MODEL_FORMAT,
      version: MODEL_VERSION,
      task: settings.task,
      net: session.net,
      preprocessing: session.preprocessing,
      settings: { ...settings, source: storedSource(settings.source) },
    };
    const bar = new TrainingProgress(io, {
      budgetSeconds: budget,
      budgetClock: request.budgetClock,
      lastStep,
      firstStep,
      metricName: session.metricName,
      throughput: session.throughput,
    });
    progress = bar;
    let saved: Checkpoint | undefined;
    let result: Awaited<ReturnType<typeof fitModel>>;
    try {
      result = await fitModel({ variables, loss: session.lossOf(made.params) }, data.fitData, {
        epochs: settings.epochs ?? UNBOUNDED_EPOCHS,
        ...(settings.maxSteps === undefined ? {} : { maxSteps: settings.maxSteps }),
        timeBudgetSeconds: budget,
        timeBudgetClock: request.budgetClock,
        ...optimizer,
        clip: { globalNorm: 5 },
        seed: settings.seed,
        config,
        ...(resumed === undefined ? {} : { resumeFrom: resumed.checkpoint }),
        checkpoint: {
          every: settings.checkpointEvery,
          save: async (checkpoint) => {
            try {
              await interrupt.guard(() => saveCheckpoint(path, checkpoint));
            } catch (error) {
              await removeTemporaries(path);
              throw saveError(error, path, saved);
            }
            saved = checkpoint;
          },
        },
        callbacks: {
          onBatchEnd: async (event) => {
            step = event.step;
            bar.update(event);
            // fit's loop is otherwise synchronous: give signal handlers a turn each step.
            await new Promise((resolve) => setImmediate(resolve));
          },
          onEpochEnd: (event) => bar.epoch(event),
          shouldStop: () => interrupt.requested,
        },
        ...data.fit,
      });
    } finally {
      bar.stop();
    }
    const shown = shortPath(path, io.cwd);
    const trained = `${result.steps - firstStep} steps in ${duration(bar.seconds)}`;
    if (interrupt.requested) {
      println(io.err, `stopped after ${trained}; checkpoint of step ${saved?.step ?? '?'} saved to ${shown}`);
      println(
        io.err,
        `continue with: recur train ${settings.task} --resume --checkpoint-dir ${shortPath(dirname(path), io.cwd)} (and the same data and model options)`,
      );
      return EXIT.interrupted;
    }
    println(io.err, `trained ${trained} (step ${result.steps}); model saved to ${shown}`);
    const evaluation = await session.evaluate(made.params, {
      ...evalBeams(settings),
      limit: request.evalLimit,
      stopped: () => interrupt.requested,
    });
    for (const line of evaluation.lines) println(io.out, line);
    return EXIT.ok;
  } finally {
    interrupt.dispose();
    tf.dispose(Object.values(variables));
    session.dispose();
    await folder?.release();
  }
}
