import type { Rng } from '@recur/core';
import type { ParamTree } from '@recur/layers';
import type { FitData, FitOptions, TrainableModel } from '@recur/train';
import type { Io } from '../io.js';
import type { DatasetName, TaskDefaults, TaskName, TrainSettings } from '../settings.js';

/** What `generate` was asked. */
export interface GenerateRequest {
  readonly prompt: string | undefined;
  readonly length: number;
  readonly temperature: number;
  readonly topK: number | undefined;
  readonly topP: number | undefined;
  readonly beam: number;
  readonly seed: number;
}

/** Options `eval` passes down. */
export interface EvalRequest {
  /** Beam widths to decode with (g2p): each gets its own row of results. */
  readonly beams: readonly number[];
  /** Evaluate on at most this many held-out examples (0: all). */
  readonly limit: number;
}

/** Numbers a task reports on held-out data, by name, plus lines to print. */
export interface Evaluation {
  readonly metrics: Readonly<Record<string, number>>;
  readonly lines: readonly string[];
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
  /** Tokenizer, scaler, classes, …: JSON, stored in the model file. */
  readonly preprocessing: unknown;
  /** One line about the data, e.g. `moby-dick: 986,791 training characters, 83 symbols`. */
  readonly summary: string;
  /** What the progress bar shows besides the loss, e.g. `bpc`. */
  readonly metricName: string;
  /** Whether throughput is counted in tokens (time steps) or samples (sequences). */
  readonly throughput: 'tokens' | 'samples';
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

export interface TaskContext {
  readonly settings: TrainSettings;
  readonly io: Io;
  /** The preprocessing a model file stored (resume, eval, generate); undefined to fit it on the data. */
  readonly saved: unknown;
  /** Skip loading training data that only training needs (eval, generate). */
  readonly forInference: boolean;
}

export interface Task {
  readonly name: TaskName;
  readonly description: string;
  readonly datasets: readonly DatasetName[];
  readonly defaults: TaskDefaults;
  /** Each task has its own params type (a tree of tensors); callers handle them as a `ParamTree`. */
  open(context: TaskContext): Promise<TaskSession<unknown>>;
}
