import { basename } from 'node:path';
import { BROWN_TAGSETS } from '@recur/datasets';
import { z } from 'zod';
import { ALL_CELL_CHOICES, CELL_CHOICES } from './model/network.js';

export const TASK_NAMES = ['char-lm', 'classify', 'forecast', 'anomaly', 'g2p', 'tag'] as const;
export type TaskName = (typeof TASK_NAMES)[number];

export const DATASET_NAMES = ['moby-dick', 'sotu', 'spam', 'cmudict', 'births', 'co2', 'sensors', 'brown'] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];

export const CHECKPOINT_FILE = 'model.ckpt';

/**
 * Size limits, checked before any weight is allocated. Recur's kernels are written for
 * layers of hundreds to thousands of units; past these a run would only end in an
 * allocation failure after minutes of data loading.
 */
export const LIMITS = { units: 65_536, embeddingDim: 65_536, layers: 64, parameters: 25_000_000 } as const;

/** CSV columns a file-based run reads (column names only: never a path). */
const columns = {
  /** The text to classify / the word to transcribe. */
  textColumn: z.string().min(1).optional(),
  /** The class (classify), the 0/1 anomaly flag (anomaly), or the phonemes (g2p). */
  labelColumn: z.string().min(1).optional(),
  /** Numeric columns of a series (forecast: the first is the one forecast). */
  columns: z.array(z.string().min(1)).min(1).optional(),
};

/**
 * Where a model's data came from, as the model file records it: a packaged dataset, or
 * a file by its base name (for messages) with the columns read. The path itself is never
 * stored, so a model file cannot make `eval` read a file the command line did not name.
 */
export const storedSourceSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('dataset'), name: z.enum(DATASET_NAMES) }),
  z.strictObject({ kind: z.literal('file'), fileName: z.string(), ...columns }),
]);
export type StoredSource = z.infer<typeof storedSourceSchema>;

/** Where a run reads its data: a packaged dataset, or the file given on the command line. */
export type DataSource =
  | { readonly kind: 'dataset'; readonly name: DatasetName }
  | {
      readonly kind: 'file';
      /** Absolute path, from the command line. */
      readonly path: string;
      readonly textColumn?: string;
      readonly labelColumn?: string;
      readonly columns?: readonly string[];
    };

const positive = z.number().int().positive();
const nonNegative = z.number().int().nonnegative();

/** Options every task shares: how long and how training runs. */
const run = {
  source: storedSourceSchema,
  batch: positive,
  learningRate: z.number().positive().finite(),
  minutes: z.number().positive().finite(),
  maxSteps: positive.optional(),
  epochs: positive.optional(),
  seed: nonNegative,
  checkpointEvery: positive,
  // Recipe options (`--preset best`); absent, training is plain Adam at a constant rate.
  /** AdamW's decoupled weight decay λ; absent or 0: Adam. */
  weightDecay: z.number().nonnegative().finite().optional(),
  /** Steps of linear learning-rate warm-up. */
  warmupSteps: nonNegative.optional(),
  /** Learning rate after warm-up: constant, or cosine decay to 5% by the last step. */
  schedule: z.enum(['constant', 'cosine']).optional(),
};

/** Options that shape a recurrent stack. */
const stack = {
  cell: z.enum(CELL_CHOICES),
  layers: positive.max(LIMITS.layers),
  units: positive.max(LIMITS.units),
};
/** A stack of any cell, the residual blocks included (char-lm and classify). */
const anyStack = { ...stack, cell: z.enum(ALL_CELL_CHOICES) };
const embeddingDim = positive.max(LIMITS.embeddingDim);
/** `--dropout`, in [0, 1); absent from model files made without it. */
const dropout = z.number().min(0).lt(1).optional();

/** The g2p models: an attention encoder–decoder, or a BiLSTM trained by CTC. */
export const G2P_MODELS = ['attention', 'ctc'] as const;
export type G2pModel = (typeof G2P_MODELS)[number];

/** What reads the sequence in classify, forecast and anomaly: recurrent layers (`--cell`), or time-delay layers. */
export const SEQUENCE_MODELS = ['recurrent', 'tdnn'] as const;
export type SequenceModel = (typeof SEQUENCE_MODELS)[number];
/** `--model`; model files written before it existed hold recurrent networks. */
const sequenceModel = z.enum(SEQUENCE_MODELS).default('recurrent');

/** `--loss` of forecast: mean squared or absolute error, or Huber's (δ = 1 on the scaled series). */
export const FORECAST_LOSSES = ['mse', 'mae', 'huber'] as const;
export type ForecastLoss = (typeof FORECAST_LOSSES)[number];

/**
 * Each task's settings, as JSON in the model file. `--seq-length` fills a different
 * field per task, named for what it means there.
 */
export const settingsSchemas = {
  'char-lm': z.strictObject({
    task: z.literal('char-lm'),
    ...run,
    ...anyStack,
    embeddingDim,
    /** Truncated-BPTT chunk: steps between gradient cuts. */
    chunkLength: positive,
    /** Dropout on each layer's input and on the head's. */
    dropout,
  }),
  classify: z.strictObject({
    task: z.literal('classify'),
    ...run,
    ...anyStack,
    embeddingDim,
    /** Word pieces kept from the start of each text. */
    maxTokens: positive,
    model: sequenceModel,
  }),
  forecast: z.strictObject({
    task: z.literal('forecast'),
    ...run,
    ...stack,
    /** Past steps each forecast reads. */
    lookBack: positive,
    /** Future steps forecast. */
    horizon: positive,
    /** Season of the seasonal-naive baseline and of MASE; 0: the dataset's. */
    season: nonNegative,
    /** Lag of the base forecast the network corrects; 0: the dataset's (364 for births). */
    lag: nonNegative,
    model: sequenceModel,
    /** `--loss`: the training loss on the scaled forecasts; absent: mean squared error. */
    loss: z.enum(FORECAST_LOSSES).optional(),
  }),
  anomaly: z.strictObject({ task: z.literal('anomaly'), ...run, ...stack, lookBack: positive, model: sequenceModel }),
  g2p: z.strictObject({
    task: z.literal('g2p'),
    ...run,
    ...stack,
    embeddingDim,
    /** Training words longer than this are left out. */
    maxWordLength: positive,
    /** `--model`: attention encoder–decoder or CTC. */
    model: z.enum(G2P_MODELS),
    /** Dropout on the encoder's inputs. */
    dropout,
    /** Beam width of the evaluation after training (and of `eval` without `--beam`). */
    beam: positive.optional(),
    /** GNMT length penalty α of the attention model's beam search. */
    lengthPenalty: z.number().nonnegative().finite().optional(),
    /** Train on every listed pronunciation of a word, not only the first. */
    allPronunciations: z.boolean().optional(),
  }),
  tag: z.strictObject({
    task: z.literal('tag'),
    ...run,
    // The tagger is one BiLSTM layer over words: `--cell` and `--layers` other than these are refused.
    cell: z.literal('lstm'),
    layers: z.literal(1),
    units: stack.units,
    /** Size of the word embedding. */
    embeddingDim,
    /** Training sentences longer than this are left out. */
    maxSentenceLength: positive,
    /** `--tagset`: the 12 universal tags or the full Brown tagset. */
    tagset: z.enum(BROWN_TAGSETS),
    /** `--crf`: a CRF output layer instead of per-word softmax. */
    crf: z.boolean(),
  }),
} as const;

export const storedSettingsSchema = z.discriminatedUnion('task', [
  settingsSchemas['char-lm'],
  settingsSchemas.classify,
  settingsSchemas.forecast,
  settingsSchemas.anomaly,
  settingsSchemas.g2p,
  settingsSchemas.tag,
]);
export type StoredSettings = z.infer<typeof storedSettingsSchema>;

/** A task's settings as a run holds them: the stored form, with the data source it reads. */
type Running<S> = S extends unknown ? Omit<S, 'source'> & { readonly source: DataSource } : never;
export type TrainSettings = Running<StoredSettings>;
export type SettingsOf<T extends TaskName> = Extract<TrainSettings, { readonly task: T }>;

/** The flag that sets each setting, for messages. */
export const SETTING_FLAGS: Readonly<Record<string, string>> = {
  cell: '--cell',
  layers: '--layers',
  units: '--units',
  embeddingDim: '--embedding-dim',
  chunkLength: '--seq-length',
  maxTokens: '--seq-length',
  lookBack: '--seq-length',
  maxWordLength: '--seq-length',
  maxSentenceLength: '--seq-length',
  model: '--model',
  tagset: '--tagset',
  crf: '--crf',
  horizon: '--horizon',
  season: '--season',
  lag: '--lag',
  batch: '--batch',
  learningRate: '--lr',
  minutes: '--minutes',
  maxSteps: '--max-steps',
  epochs: '--epochs',
  seed: '--seed',
  checkpointEvery: '--checkpoint-every',
  weightDecay: '--weight-decay',
  warmupSteps: '--warmup-steps',
  schedule: '--schedule',
  dropout: '--dropout',
  beam: '--beam',
  lengthPenalty: '--length-penalty',
  allPronunciations: '--all-pronunciations',
  loss: '--loss',
};

/** The stored form of a source: a file by its base name only. */
export function storedSource(source: DataSource): StoredSource {
  if (source.kind === 'dataset') return { kind: 'dataset', name: source.name };
  return {
    kind: 'file',
    fileName: basename(source.path),
    ...(source.textColumn === undefined ? {} : { textColumn: source.textColumn }),
    ...(source.labelColumn === undefined ? {} : { labelColumn: source.labelColumn }),
    ...(source.columns === undefined ? {} : { columns: [...source.columns] }),
  };
}
