import { resolve } from 'node:path';
import type { BrownTagset } from '@recur/datasets';
import type { BackendChoice } from './backend.js';
import { usageError } from './errors.js';
import type { CellChoice } from './model/sequence-net.js';
import {
  DATASET_NAMES,
  type DataSource,
  type DatasetName,
  TASK_NAMES,
  type TaskName,
  type TrainSettings,
} from './settings.js';
import type { G2pOptions } from './tasks/g2p-ctc.js';
import { DEFAULT_TAG_OPTIONS } from './tasks/tag.js';
import { TASKS } from './tasks/tasks.js';

/** What commander parsed for `recur train`. */
export interface TrainFlags {
  dataset?: string;
  file?: string;
  textColumn?: string;
  labelColumn?: string;
  columns?: string[];
  backend: BackendChoice;
  cell?: CellChoice;
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
  maxSteps?: number;
  epochs?: number;
  seed: number;
  checkpointDir?: string;
  checkpointEvery: number;
  resume?: boolean;
  evalLimit: number;
  tagset?: BrownTagset;
  crf?: boolean;
  model?: G2pOptions['model'];
}

export function isTask(name: string): name is TaskName {
  return (TASK_NAMES as readonly string[]).includes(name);
}

/** The data a run reads: `--file` with its columns, or `--dataset` (default: the task's first). */
function dataSource(task: TaskName, flags: TrainFlags, cwd: string): DataSource {
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

export function trainSettings(task: TaskName, flags: TrainFlags, cwd: string): TrainSettings {
  const d = TASKS[task].defaults;
  if (task !== 'tag' && (flags.tagset !== undefined || flags.crf !== undefined)) {
    throw usageError('--tagset and --crf are options of the tag task');
  }
  if (task !== 'g2p' && flags.model !== undefined) throw usageError('--model is an option of the g2p task');
  return {
    task,
    source: dataSource(task, flags, cwd),
    cell: flags.cell ?? d.cell,
    layers: flags.layers ?? d.layers,
    units: flags.units ?? d.units,
    embeddingDim: flags.embeddingDim ?? d.embeddingDim,
    seqLength: flags.seqLength ?? d.seqLength,
    horizon: flags.horizon ?? d.horizon,
    season: flags.season ?? d.season,
    lag: flags.lag ?? d.lag,
    batch: flags.batch ?? d.batch,
    learningRate: flags.lr ?? d.learningRate,
    minutes: flags.minutes ?? d.minutes,
    maxSteps: flags.maxSteps,
    epochs: flags.epochs,
    seed: flags.seed,
    checkpointEvery: flags.checkpointEvery,
    ...(task === 'tag'
      ? { tag: { tagset: flags.tagset ?? DEFAULT_TAG_OPTIONS.tagset, crf: flags.crf ?? DEFAULT_TAG_OPTIONS.crf } }
      : {}),
    ...(task === 'g2p' ? { g2p: { model: flags.model ?? 'attention' } } : {}),
  };
}
