import { InvalidArgumentError } from 'commander';
import type { CellChoice } from './model/sequence-net.js';
import type { G2pOptions } from './tasks/g2p-ctc.js';
import type { TagOptions } from './tasks/tag.js';

export const TASK_NAMES = ['char-lm', 'classify', 'forecast', 'anomaly', 'g2p', 'tag'] as const;
export type TaskName = (typeof TASK_NAMES)[number];

export const DATASET_NAMES = ['moby-dick', 'sotu', 'spam', 'cmudict', 'births', 'co2', 'sensors', 'brown'] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];

/**
 * Where a task's data come from: a packaged dataset by name, or the user's file with the
 * columns to read (CSV) — stored in the model file so `eval` reads the same data.
 */
export type DataSource =
  | { readonly kind: 'dataset'; readonly name: DatasetName }
  | {
      readonly kind: 'file';
      /** Absolute path. */
      readonly path: string;
      /** CSV: the text to classify / the word to transcribe. */
      readonly textColumn?: string;
      /** CSV: the class (classify), the 0/1 anomaly flag (anomaly), or the phonemes (g2p). */
      readonly labelColumn?: string;
      /** CSV: numeric columns of a series (forecast: the first is the one forecast). */
      readonly columns?: readonly string[];
    };

/** Everything `train` was asked, with each task's defaults filled in. JSON: it goes in the model file. */
export interface TrainSettings {
  readonly task: TaskName;
  readonly source: DataSource;
  readonly cell: CellChoice;
  readonly layers: number;
  readonly units: number;
  /** Embedding size of token inputs. */
  readonly embeddingDim: number;
  /** Steps the model sees at once: TBPTT chunk (char-lm), tokens kept (classify), look-back (forecast, anomaly), longest word (g2p). */
  readonly seqLength: number;
  /** Future steps predicted (forecast). */
  readonly horizon: number;
  /** Season of the seasonal-naive baseline and of MASE (forecast); 0: the dataset's. */
  readonly season: number;
  /** Lag of the forecaster's base forecast (forecast); 0: the dataset's (364 for births). */
  readonly lag: number;
  readonly batch: number;
  readonly learningRate: number;
  readonly minutes: number;
  readonly maxSteps: number | undefined;
  readonly epochs: number | undefined;
  readonly seed: number;
  readonly checkpointEvery: number;
  /** `tag` only: the tagset and the output layer. */
  readonly tag?: TagOptions;
  /** `g2p` only: the model (absent in files from before `--model`: attention). */
  readonly g2p?: G2pOptions;
}

/** Options that shape the model or the data: the ones a resumed run must repeat. */
export const SHAPE_SETTINGS = ['cell', 'layers', 'units', 'embeddingDim', 'seqLength', 'horizon', 'lag'] as const;

/** Settings a task may default differently; the rest are shared. */
export type TaskDefaults = Pick<
  TrainSettings,
  | 'cell'
  | 'layers'
  | 'units'
  | 'embeddingDim'
  | 'seqLength'
  | 'horizon'
  | 'season'
  | 'lag'
  | 'batch'
  | 'learningRate'
  | 'minutes'
>;

export const CHECKPOINT_FILE = 'model.ckpt';

// Parsers for commander: a bad value is a one-line usage error naming the option.

export function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer.');
  return n;
}

export function nonNegativeInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected an integer ≥ 0.');
  return n;
}

export function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number.');
  return n;
}

export function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError('expected a number ≥ 0.');
  return n;
}

export function probability(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 1) throw new InvalidArgumentError('expected a number in (0, 1].');
  return n;
}

export function columnList(value: string): string[] {
  const names = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (names.length === 0) throw new InvalidArgumentError('expected column names separated by commas.');
  return names;
}
