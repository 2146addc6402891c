import { resolve } from 'node:path';
import type { BrownTagset } from '@recur/datasets';
import type { BudgetClock } from '@recur/train';
import type { BackendChoice } from './backend.js';
import { usageError } from './errors.js';
import { definedOnly } from './flag-values.js';
import { isBlockCell } from './model/blocks.js';
import type { AnyCellChoice } from './model/network.js';
import { type PresetName, presetFlags } from './presets.js';
import {
  DATASET_NAMES,
  type DataSource,
  type DatasetName,
  type ForecastLoss,
  type G2pModel,
  SETTING_FLAGS,
  type SequenceModel,
  type SettingsOf,
  settingsSchemas,
  storedSource,
  TASK_NAMES,
  type TaskName,
  type TrainSettings,
} from './settings.js';
import { TASKS } from './tasks/tasks.js';

/** What commander parsed for `recur train`. */
export interface TrainFlags {
  dataset?: string;
  file?: string;
  textColumn?: string;
  labelColumn?: string;
  columns?: string[];
  backend: BackendChoice;
  threads?: number;
  cell?: AnyCellChoice;
  layers?: number;
  units?: number;
  embeddingDim?: number;
  seqLength?: number;
  horizon?: number;
  season?: number;
  lag?: number;
  batch?: number;
  lr?: number;
  minutes?: number;
  budgetClock?: BudgetClock;
  maxSteps?: number;
  epochs?: number;
  seed: number;
  checkpointDir?: string;
  checkpointEvery: number;
  resume?: boolean;
  overwrite?: boolean;
  evalLimit: number;
  tagset?: BrownTagset;
  crf?: boolean;
  model?: G2pModel | SequenceModel;
  preset?: PresetName;
  weightDecay?: number;
  warmupSteps?: number;
  schedule?: 'constant' | 'cosine';
  dropout?: number;
  beam?: number;
  lengthPenalty?: number;
  allPronunciations?: boolean;
  loss?: ForecastLoss;
}

/** Flags that shape one task's model or data only; each task lists the ones it takes. */
const TASK_FLAGS = [
  'embeddingDim',
  'seqLength',
  'horizon',
  'season',
  'lag',
  'tagset',
  'crf',
  'model',
  'dropout',
  'beam',
  'lengthPenalty',
  'allPronunciations',
  'loss',
] as const;

export function isTask(name: string): name is TaskName {
  return (TASK_NAMES as readonly string[]).includes(name);
}

const flagName = (key: string) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** The data a run reads: `--file` with its columns, or `--dataset` (default: the task's first). */
export function dataSource(
  task: TaskName,
  flags: Pick<TrainFlags, 'dataset' | 'file' | 'textColumn' | 'labelColumn' | 'columns'>,
  cwd: string,
): DataSource {
  const datasets = TASKS[task].datasets;
  if (flags.file !== undefined && flags.dataset !== undefined) {
    throw usageError('give either --dataset or --file, not both');
  }
  if (flags.file !== undefined) {
    return {
      kind: 'file',
      path: resolve(cwd, flags.file),
      ...(flags.textColumn === undefined ? {} : { textColumn: flags.textColumn }),
      ...(flags.labelColumn === undefined ? {} : { labelColumn: flags.labelColumn }),
      ...(flags.columns === undefined ? {} : { columns: flags.columns }),
    };
  }
  const name = flags.dataset ?? datasets[0];
  if (!(DATASET_NAMES as readonly string[]).includes(name as string)) {
    throw usageError(
      `unknown dataset '${name}': for ${task} choose --dataset ${datasets.join(' | ')}, or --file <path>`,
    );
  }
  if (!datasets.includes(name as DatasetName)) {
    throw usageError(
      `dataset '${name}' does not fit task ${task}: choose --dataset ${datasets.join(' | ')}, or --file <path>`,
    );
  }
  return { kind: 'dataset', name: name as DatasetName };
}

/**
 * The settings of a `train` run: the task's own from its flags, `--preset` and defaults
 * (a flag given wins over the preset, the preset over the default), checked against the
 * same schema a model file is (so `--units 100000` is refused here, before any data is
 * read). A flag that means nothing to the task is refused, not ignored.
 */
export function trainSettings<T extends TaskName>(task: T, given: TrainFlags, cwd: string): SettingsOf<T> {
  const spec = TASKS[task];
  for (const key of TASK_FLAGS) {
    if (given[key] !== undefined && !spec.flags.includes(key)) {
      throw usageError(`${flagName(key)} does not apply to ${task}`);
    }
  }
  const flags = { ...presetFlags(task, given.preset), ...definedOnly({ ...given }) } as TrainFlags;
  if (flags.schedule === 'cosine' && flags.maxSteps === undefined && flags.epochs === undefined) {
    throw usageError('--schedule cosine decays to the last step: give --max-steps or --epochs');
  }
  if (flags.model === 'tdnn' && flags.cell !== undefined) {
    throw usageError(`--cell does not apply to --model tdnn: its layers are time-delay layers, not recurrent ones`);
  }
  if (flags.cell !== undefined && isBlockCell(flags.cell) && task !== 'char-lm' && task !== 'classify') {
    throw usageError(`--cell ${flags.cell} applies to char-lm and classify; for ${task} choose lstm, gru or elman`);
  }
  const source = dataSource(task, flags, cwd);
  const settings = {
    task,
    source,
    ...definedOnly({
      maxSteps: flags.maxSteps,
      epochs: flags.epochs,
      weightDecay: flags.weightDecay,
      warmupSteps: flags.warmupSteps,
      schedule: flags.schedule,
    }),
    seed: flags.seed,
    checkpointEvery: flags.checkpointEvery,
    ...spec.settings(flags),
  } as unknown as SettingsOf<T>;
  const checked = settingsSchemas[task].safeParse({ ...settings, source: storedSource(source) });
  if (!checked.success) {
    const issue = checked.error.issues[0];
    const key = String(issue?.path[0] ?? '');
    const value = (settings as unknown as Record<string, unknown>)[key];
    throw usageError(`${SETTING_FLAGS[key] ?? key} ${String(value)}: ${issue?.message ?? 'invalid'}`);
  }
  return settings;
}

export type { TrainSettings };
