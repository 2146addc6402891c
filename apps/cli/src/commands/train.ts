import { dirname } from 'node:path';
import { Rng } from '@recur/core';
import type { ParamTree } from '@recur/layers';
import { type Checkpoint, fit as fitModel } from '@recur/train';
import { saveCheckpoint } from '@recur/train/node';
import * as tf from '@tensorflow/tfjs-core';
import { type BackendChoice, startBackend } from '../backend.js';
import { EXIT } from '../errors.js';
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
import { TrainingProgress } from '../progress.js';
import type { TrainSettings } from '../settings.js';
import { count, duration, shortPath } from '../tasks/format.js';
import { TASKS } from '../tasks/tasks.js';
import { checkResumable, checkSameNet } from './session.js';

export interface TrainRequest {
  readonly settings: TrainSettings;
  readonly backend: BackendChoice;
  /** The model file (`<checkpoint-dir>/model.ckpt`). */
  readonly path: string;
  readonly resume: boolean;
  /** Held-out examples evaluated at the end (0: all). */
  readonly evalLimit: number;
}

/** A run that never ends by steps: the time budget (or Ctrl-C) stops it. */
const UNBOUNDED_EPOCHS = 1_000_000;

/** The step training ends at, when a step or epoch limit is set. */
function lastStepOf(settings: TrainSettings, stepsPerEpoch: number): number | undefined {
  const byEpochs = settings.epochs !== undefined ? settings.epochs * stepsPerEpoch : undefined;
  if (settings.maxSteps !== undefined && byEpochs !== undefined) return Math.min(settings.maxSteps, byEpochs);
  return settings.maxSteps ?? byEpochs;
}

export async function trainCommand(request: TrainRequest, io: Io): Promise<number> {
  const { settings, path } = request;
  // Everything about the checkpoint is checked before any data is read or any file written.
  let resumed: ModelFile | undefined;
  if (request.resume) {
    resumed = await readModelFile(path);
    checkResumable(resumed, settings);
  }
  await startBackend(request.backend, io);
  const session = await TASKS[settings.task].open({
    settings,
    io,
    saved: resumed?.config.preprocessing,
    forInference: false,
  });
  let variables: Record<string, tf.Variable> = {};
  let progress: TrainingProgress | undefined;
  const interrupt = onInterrupt(
    (line) => (progress === undefined ? println(io.err, line) : progress.note(line)),
    () => removeTemporaries(path),
  );
  try {
    if (resumed !== undefined) checkSameNet(resumed, session.net);
    println(io.err, session.summary);
    const made = toVariables(session.init(new Rng(settings.seed)) as ParamTree);
    variables = made.variables;
    const weights = Object.values(variables).reduce((n, v) => n + v.size, 0);
    const budget = settings.minutes * 60;
    println(
      io.err,
      `model: ${settings.cell} ${settings.layers}×${settings.units}, ${count(weights)} weights; ${
        settings.maxSteps !== undefined ? `at most ${settings.maxSteps} steps, ` : ''
      }budget ${duration(budget)}${resumed !== undefined ? `; resuming from step ${resumed.checkpoint.step}` : ''}`,
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
    const config: ModelFileConfig = {
      format: MODEL_FORMAT,
      version: MODEL_VERSION,
      task: settings.task,
      net: session.net,
      preprocessing: session.preprocessing,
      settings,
    };
    const bar = new TrainingProgress(io, {
      budgetSeconds: budget,
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
        optimizer: { kind: 'adam', learningRate: settings.learningRate },
        clip: { globalNorm: 5 },
        seed: settings.seed,
        config,
        ...(resumed === undefined ? {} : { resumeFrom: resumed.checkpoint }),
        checkpoint: {
          every: settings.checkpointEvery,
          save: async (checkpoint) => {
            await saveCheckpoint(path, checkpoint);
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
        `continue with: recur train ${settings.task} --resume --checkpoint-dir ${shortPath(dirname(path), io.cwd)}`,
      );
      return EXIT.interrupted;
    }
    println(io.err, `trained ${trained} (step ${result.steps}); model saved to ${shown}`);
    const evaluation = await session.evaluate(made.params, { beams: [1, 5], limit: request.evalLimit });
    for (const line of evaluation.lines) println(io.out, line);
    return EXIT.ok;
  } finally {
    interrupt.dispose();
    tf.dispose(Object.values(variables));
    session.dispose();
  }
}
