import type { Rng } from '@recur/core';
import type { ParamTree } from '@recur/layers';
import type { FitData, FitOptions, TrainableModel } from '@recur/train';
import type { z } from 'zod';
import type { Io } from '../io.js';
import type { DatasetName, SettingsOf, TaskName } from '../settings.js';
import type { TrainFlags } from '../train-flags.js';

/** What `generate` was asked. */
export interface GenerateRequest {
  readonly prompt: string | undefined;
  readonly length: number;
  readonly temperature: number;
  readonly topK: number | undefined;
  readonly topP: number | undefined;
  readonly beam: number;
  readonly seed: number;
  /** True once Ctrl-C arrived: a long generation stops between batches. */
  readonly stopped?: () => boolean;
}

/** Options `eval` passes down. */
export interface EvalRequest {
  /** Beam widths to decode with (g2p): each gets its own row of results. */
  readonly beams: readonly number[];
  /** Evaluate on at most this many held-out examples (0: all). */
  readonly limit: number;
  /** Also return the model's output for each held-out example (`eval --predictions`). */
  readonly predictions?: boolean;
  /** g2p: the beam search's GNMT length penalty α (default 0). */
  readonly lengthPenalty?: number;
  /** True once Ctrl-C arrived: evaluation stops between batches (throws `interruptedError`). */
  readonly stopped?: () => boolean;
}

/** Numbers a task reports on held-out data, by name, plus lines to print. */
export interface Evaluation {
  readonly metrics: Readonly<Record<string, number>>;
  readonly lines: readonly string[];
  /** With `request.predictions`: a table of the model's outputs, one row per held-out example. */
  readonly predictions?: Predictions;
}

/** The rows `eval --predictions` writes as TSV, under the header if there is one. */
export interface Predictions {
  readonly header?: readonly string[];
  readonly rows: readonly (readonly (string | number)[])[];
}

/**
 * A task with its data loaded and preprocessed. The same session serves `train` (fresh
 * weights), `eval` and `generate` (weights from a model file): the preprocessing either
 * comes from the data or from the file, and `net` is what the file stores to rebuild the
 * model.
 */
export interface TaskSession<P = ParamTree> {
  /** The model config, JSON: every number that fixes the weights' shapes. */
  readonly net: unknown;
  /** Tokenizer, scaler, classes, …: JSON, stored in the model file; all `generate` and `eval` need. */
  readonly preprocessing: unknown;
  /** One line about the data, e.g. `moby-dick: 986,791 training characters, 83 symbols`. */
  readonly summary: string;
  /** What the progress bar shows besides the loss, e.g. `bpc`. */
  readonly metricName: string;
  /** Whether throughput is counted in tokens (time steps) or samples (sequences). */
  readonly throughput: 'tokens' | 'samples';
  /** Weights the model has, counted before any is allocated (for the size limit). */
  readonly parameterCount: number;
  init(rng: Rng): P;
  /** The training loss over `params` (variables while training), as `fit` calls it. */
  lossOf(params: P): TrainableModel<unknown, unknown>['loss'];
  /**
   * Training batches. `stopped()` turns true once training is over (Ctrl-C, time or step
   * limit): validation then yields nothing, as the held-out evaluation follows.
   */
  data(stopped: () => boolean): { fitData: FitData<unknown>; stepsPerEpoch: number; fit?: Partial<FitOptions> };
  evaluate(params: P, request: EvalRequest): Promise<Evaluation>;
  /** Text from the model (char-lm: a continuation; g2p: a pronunciation); undefined if the task makes none. */
  generate?(params: P, request: GenerateRequest): Promise<string>;
  /** Frees what the session holds (tensors of preprocessed data). */
  dispose(): void;
}

/** What a session is opened for: which data it loads. `generate` loads none. */
export type SessionUse = 'train' | 'eval' | 'generate';

export interface TaskContext<T extends TaskName = TaskName> {
  readonly settings: SettingsOf<T>;
  readonly io: Io;
  /** The preprocessing a model file stored (resume, eval, generate), already validated; undefined to fit it on the data. */
  readonly saved: unknown;
  readonly use: SessionUse;
}

export interface Task<T extends TaskName = TaskName> {
  readonly name: T;
  readonly description: string;
  readonly datasets: readonly DatasetName[];
  /** The train flags that shape this task's model or data, beyond those every task has. */
  readonly flags: readonly (keyof TrainFlags)[];
  /** This task's own settings from the flags, its defaults filled in. */
  settings(flags: TrainFlags): Omit<SettingsOf<T>, keyof CommonSettings>;
  /** Settings that fix the weights' shapes or the data's: a resumed run must repeat them. */
  readonly shape: readonly (keyof SettingsOf<T> & string)[];
  /** What the model file's preprocessing must look like. */
  readonly preprocessing: z.ZodType;
  /** Why `eval --predictions` writes no table for this task (undefined: it writes one). */
  readonly noPredictions?: string;
  /** Each task has its own params type (a tree of tensors); callers handle them as a `ParamTree`. */
  open(context: TaskContext<T>): Promise<TaskSession<unknown>>;
}

/** Settings every task takes from the flags alike (no per-task default). */
export type CommonSettings = Pick<
  SettingsOf<TaskName>,
  'task' | 'source' | 'maxSteps' | 'epochs' | 'seed' | 'checkpointEvery' | 'weightDecay' | 'warmupSteps' | 'schedule'
>;
