import { readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { type Cell, Rng } from '@recur/core';
import { Tokenizer } from '@recur/datasets';
import { fromTfjsModel, fromTorch, modelFromTorchModules, readSafetensors, type TorchModuleInfo } from '@recur/interop';
import { readTfjsFolder } from '@recur/interop/node';
import type { AnyLayer, ParamTree } from '@recur/layers';
import type { StoredTensor } from '@recur/train';
import { saveCheckpoint } from '@recur/train/node';
import * as tf from '@tensorflow/tfjs-core';
import { type BackendRequest, startBackend } from '../backend.js';
import { MAX_SYMBOLS } from '../data/char-text.js';
import { CliError, EXIT } from '../errors.js';
import { type Io, println } from '../io.js';
import { checkModelConfig, MODEL_FORMAT, MODEL_VERSION, type ModelFileConfig } from '../model/model-file.js';
import { type CellChoice, type NetworkConfig, network } from '../model/network.js';
import { fromStored, leaves } from '../model/params.js';
import { checkRunFolder, claimRunFolder } from '../model/run-folder.js';
import { TASKS } from '../tasks/tasks.js';
import type { TrainFlags } from '../train-flags.js';
import { TOKENIZER_FILE } from './export.js';

export const IMPORT_SOURCES = ['torch', 'tfjs'] as const;
export type ImportSource = (typeof IMPORT_SOURCES)[number];

export interface ImportRequest extends BackendRequest {
  readonly from: ImportSource;
  /** The export folder (torch: `model.safetensors`; tfjs: `model.json` and its shards). */
  readonly source: string;
  readonly task: string;
  /** The model file to write (`<out>/model.ckpt`). */
  readonly path: string;
  /** torch: the modules' JSON (default `<source>/modules.json`). */
  readonly modules?: string;
  /** The tokenizer JSON (default `<source>/tokenizer.json`). */
  readonly tokenizer?: string;
  readonly prompt?: string;
  readonly overwrite: boolean;
}

async function readJson(path: string, what: string): Promise<unknown> {
  const text = await readFile(path, 'utf8').catch(() => {
    throw new CliError(`cannot read the ${what} ${path}: pass it with the flag, or export it with 'recur export'`);
  });
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new CliError(`${path} is not JSON: expected the ${what}`);
  }
}

/**
 * The model in `request.source` as a CLI char-lm network config, and its weights
 * (owned by the caller). A torch layout is checked before its weights are read.
 */
async function loadModel(
  request: ImportRequest,
  vocabSize: number,
): Promise<{ net: NetworkConfig; params: ParamTree[] }> {
  if (request.from === 'tfjs') {
    const { model, params } = fromTfjsModel(await readTfjsFolder(request.source));
    try {
      return { net: charLmConfig(model.layers, vocabSize), params };
    } catch (error) {
      tf.dispose(params as never);
      throw error;
    }
  }
  const modulesPath = request.modules ?? join(request.source, 'modules.json');
  const modules = await readJson(modulesPath, 'torch module list (modules.json)');
  const { model, names } = modelFromTorchModules(modules as TorchModuleInfo[]);
  const net = charLmConfig(model.layers, vocabSize);
  const weightsPath = join(request.source, 'model.safetensors');
  const bytes = await readFile(weightsPath).catch(() => {
    throw new CliError(`no ${weightsPath}: --from torch reads a folder holding model.safetensors`);
  });
  const { tensors } = readSafetensors(new Uint8Array(bytes));
  try {
    return { net, params: fromTorch(model, tensors, { modules: names }) as ParamTree[] };
  } finally {
    tf.dispose(Object.values(tensors));
  }
}

/** Keys of a cell's config that change what it computes (initializers only change training). */
function computing(cell: Cell): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(cell.config as Record<string, unknown>).filter(
      ([k]) => !k.endsWith('Initializer') && k !== 'unitForgetBias',
    ),
  );
}

/**
 * The char-lm network config `layers` compute, checked layer by layer against the
 * network the CLI builds from it: embedding → recurrent × n (one cell kind, forward,
 * every step) → linear dense over the vocabulary. Says which layer differs and how.
 */
function charLmConfig(layers: readonly AnyLayer[], vocabSize: number): NetworkConfig {
  const where = (i: number) => `layers[${i}] (${layers[i]?.kind})`;
  const first = layers[0] as unknown as { kind: string; config: { vocabSize: number; dim: number } };
  if (first?.kind !== 'embedding' || layers.length < 3) {
    throw new CliError(
      `a char-lm model is embedding → recurrent layers → dense; this one has ${layers.map((l) => l.kind).join(' → ')}`,
    );
  }
  const rnn = layers.slice(1, -1) as unknown as { kind: string; cell?: Cell }[];
  const odd = rnn.findIndex((l) => l.kind !== 'recurrent');
  if (odd >= 0) {
    throw new CliError(
      `${where(odd + 1)}: a char-lm model has forward recurrent layers between its embedding and dense head`,
    );
  }
  const cell = rnn[0]?.cell;
  const config: NetworkConfig = {
    input: { kind: 'tokens', vocabSize, dim: first.config.dim },
    cell: (cell?.kind ?? 'none') as CellChoice,
    layers: rnn.length,
    units: (cell?.config as { units?: number } | undefined)?.units ?? 0,
    outputs: vocabSize,
    perStep: true,
  };
  if (!(['lstm', 'gru', 'elman'] as const).includes(config.cell as CellChoice)) {
    throw new CliError(`${where(1)}: a char-lm model's recurrent layers are lstm, gru or elman, not ${config.cell}`);
  }
  if (first.config.vocabSize !== vocabSize) {
    throw new CliError(`${where(0)} has ${first.config.vocabSize} tokens, the tokenizer ${vocabSize}`);
  }
  const built = (network(config).layer as unknown as { layers: readonly AnyLayer[] }).layers;
  layers.forEach((layer, i) => {
    const mine = built[i] as AnyLayer;
    if (layer.kind !== mine.kind) throw new CliError(`${where(i)}: expected a ${mine.kind} layer here`);
    const [a, b] =
      layer.kind === 'recurrent'
        ? [computing((layer as unknown as { cell: Cell }).cell), computing((mine as unknown as { cell: Cell }).cell)]
        : [(layer as unknown as { config: object }).config, (mine as unknown as { config: object }).config];
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      if (key.endsWith('Initializer')) continue;
      const [got, want] = [(a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]];
      if (JSON.stringify(got) !== JSON.stringify(want)) {
        throw new CliError(
          `${where(i)}: ${key} is ${JSON.stringify(got)}, the CLI's char-lm needs ${JSON.stringify(want)}: this model cannot be imported`,
        );
      }
    }
    if (layer.kind === 'recurrent' && (layer as unknown as { options: { reverse: boolean } }).options.reverse) {
      throw new CliError(`${where(i)}: runs backwards in time; a char-lm reads forwards`);
    }
  });
  return config;
}

/**
 * `recur import`: a torch or tfjs-layers char-LM (with its tokenizer) as a version-2
 * model folder that `recur generate` and `recur eval --file` read.
 */
export async function importCommand(request: ImportRequest, io: Io): Promise<number> {
  if (request.task !== 'char-lm') {
    throw new CliError(
      `--task ${request.task}: import makes char-lm models (the other tasks' preprocessing, such as scalers and classes, has no file in torch or tfjs exports)`,
    );
  }
  const info = await stat(request.source).catch(() => undefined);
  if (info === undefined || !info.isDirectory()) {
    throw new CliError(`no folder ${request.source}: pass the folder 'recur export' or your script wrote`);
  }
  const tokenizerPath = request.tokenizer ?? join(request.source, TOKENIZER_FILE);
  const tokenizer = Tokenizer.fromJSON(await readJson(tokenizerPath, 'tokenizer'), tokenizerPath);
  const vocabSize = tokenizer.vocabulary.size;
  if (vocabSize > MAX_SYMBOLS)
    throw new CliError(`${tokenizerPath} has ${vocabSize} symbols; a char-lm at most ${MAX_SYMBOLS}`);
  await checkRunFolder(request.path, { resume: false, overwrite: request.overwrite });
  await startBackend(request, io);
  const { net, params } = await loadModel(request, vocabSize);
  const weights: Record<string, StoredTensor> = {};
  try {
    for (const [path, t] of leaves(params)) {
      weights[path] = { dtype: 'float32', shape: [...t.shape], values: t.dataSync() as Float32Array };
    }
  } finally {
    tf.dispose(leaves(params).map(([, t]) => t));
  }
  // Names and shapes against the network generate will build: refused here, not there.
  tf.dispose(
    leaves(fromStored(network(net).layer.init(new Rng(0)) as ParamTree, weights, request.source)).map(([, t]) => t),
  );
  // The training settings are char-lm's defaults for this shape: what a later run would resume with.
  const settings = {
    task: 'char-lm',
    source: { kind: 'file', fileName: basename(request.source) },
    seed: 1,
    checkpointEvery: 100,
    ...TASKS['char-lm'].settings({
      cell: net.cell,
      layers: net.layers,
      units: net.units,
      embeddingDim: (net.input as { dim: number }).dim,
    } as TrainFlags),
  };
  const { vocabulary } = tokenizer;
  const prompt = request.prompt ?? vocabulary.tokens.find((_, id) => !vocabulary.isSpecial(id)) ?? ' ';
  const config: ModelFileConfig = checkModelConfig(
    {
      format: MODEL_FORMAT,
      version: MODEL_VERSION,
      task: 'char-lm',
      net,
      preprocessing: { tokenizer: tokenizer.toJSON(), prompt },
      settings,
    },
    request.path,
  );
  const folder = await claimRunFolder(request.path);
  try {
    await saveCheckpoint(request.path, {
      step: 0,
      epoch: 0,
      config,
      rng: new Rng(1).state(),
      weights,
      optimizer: [],
    });
  } finally {
    await folder.release();
  }
  println(io.err, `imported a ${net.cell} ${net.layers}×${net.units} char-lm from ${request.from}: ${request.path}`);
  return EXIT.ok;
}
