import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Rng } from '@recur/core';
import { toOnnx, torchModules, toTfjsModel, toTorch, writeSafetensors } from '@recur/interop';
import type { AnyLayer, ParamTree } from '@recur/layers';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { writeAtomic } from '../atomic-file.js';
import { type BackendRequest, startBackend } from '../backend.js';
import { CliError, EXIT } from '../errors.js';
import { type Io, println } from '../io.js';
import { isBlockCell } from '../model/blocks.js';
import { type ModelFile, readModelFile } from '../model/model-file.js';
import { CELL_CHOICES, type NetworkConfig, network } from '../model/network.js';
import { fromStored, leaves } from '../model/params.js';
import { LIMITS } from '../settings.js';

export const EXPORT_FORMATS = ['onnx', 'torch', 'tfjs'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** The files each format writes into `--out`, besides `tokenizer.json`. */
export const EXPORT_FILES = {
  onnx: ['model.onnx'],
  torch: ['model.safetensors', 'modules.json'],
  tfjs: ['model.json', 'group1-shard1of1.bin'],
} as const satisfies Record<ExportFormat, readonly string[]>;

/** The tokenizer of a token model, next to the weights: `recur import` and serving code read it. */
export const TOKENIZER_FILE = 'tokenizer.json';

/** The torch module each kind of layer of the CLI's networks becomes (as `examples/torch/train_lstm.py` names them). */
const TORCH_NAMES: Readonly<Record<string, string>> = { embedding: 'embed', recurrent: 'rnn', dense: 'head' };

const size = (max: number) => z.number().int().positive().max(max);

/** The network config of a model file, checked before a network is built from it. */
export const networkConfigSchema = z.strictObject({
  input: z.discriminatedUnion('kind', [
    z.strictObject({
      kind: z.literal('tokens'),
      vocabSize: size(LIMITS.parameters),
      dim: size(LIMITS.embeddingDim),
      paddingId: z.number().int().nonnegative().optional(),
    }),
    z.strictObject({ kind: z.literal('features'), size: size(LIMITS.parameters) }),
  ]),
  cell: z.enum(CELL_CHOICES),
  layers: size(LIMITS.layers),
  units: size(LIMITS.units),
  outputs: size(LIMITS.parameters),
  perStep: z.boolean(),
  pool: z.enum(['last', 'max']).optional(),
  dropout: z.number().min(0).lt(1).optional(),
});

/**
 * The network a model file holds, as one `stacked` layer, and the one to export: the same
 * without its dropout layers, which pass their input through at inference, so that every
 * format and `recur import` read it as any stack of the same layers. Refuses
 * models the converters cannot express: g2p's encoder–decoder is no single stack, and
 * the CLI's own max-over-time pooling (classify) has no layer in PyTorch, tfjs-layers
 * or this ONNX exporter (ONNX's `ReduceMax` could express it, but the model it gave
 * could not come back through `recur import`, so every format refuses it alike).
 */
function exportable(file: ModelFile, format: ExportFormat): { stored: AnyLayer; inference: AnyLayer } {
  const net = file.config.net as { readonly cell?: unknown; readonly model?: unknown };
  const layers =
    net.model === 'tdnn' ? 'time-delay' : typeof net.cell === 'string' && isBlockCell(net.cell) ? net.cell : undefined;
  if (layers !== undefined) {
    throw new CliError(
      `${file.path}: its ${layers} layers have no ${format} counterpart (the formats have no such layer): this ${file.config.task} model cannot be exported`,
    );
  }
  const parsed = networkConfigSchema.safeParse(file.config.net);
  if (!parsed.success) {
    throw new CliError(
      `${file.path} holds a ${file.config.task} model, which is not one stack of layers: only char-lm, forecast and anomaly models can be exported`,
    );
  }
  const config = parsed.data as NetworkConfig;
  if (!config.perStep && config.pool === 'max') {
    throw new CliError(
      `${file.path}: its layer maxOverTime (max-pooling over time, the CLI's own layer) has no ${format} counterpart: this ${file.config.task} model cannot be exported`,
    );
  }
  const { dropout: _, ...inference } = config;
  return { stored: network(config).layer, inference: network(inference).layer };
}

/** The kinds of the layers of a `stacked` layer, in order. */
const kindsOf = (layer: AnyLayer) => (layer as unknown as { layers: readonly AnyLayer[] }).layers.map((l) => l.kind);

async function checkOut(dir: string, format: ExportFormat, overwrite: boolean): Promise<void> {
  const info = await stat(dir).catch(() => undefined);
  if (info !== undefined && !info.isDirectory()) throw new CliError(`--out ${dir} is a file: pass a folder`);
  if (overwrite) return;
  for (const name of [...EXPORT_FILES[format], TOKENIZER_FILE]) {
    if (await stat(join(dir, name)).catch(() => undefined)) {
      throw new CliError(`--out ${dir} already holds ${name}: pass --overwrite to replace it, or another --out`);
    }
  }
}

/**
 * The format's files for the stacked network and its weights, all converted before
 * anything is written, so a refused model leaves no file behind.
 */
function convert(format: ExportFormat, layer: AnyLayer, params: ParamTree): [string, string | Uint8Array][] {
  if (format === 'onnx') return [['model.onnx', toOnnx(layer, params)]];
  if (format === 'tfjs') {
    const { modelJson, shards } = toTfjsModel(layer, params);
    return [...Object.entries(shards), ['model.json', `${JSON.stringify(modelJson)}\n`]];
  }
  const modules = kindsOf(layer).map((k) => TORCH_NAMES[k] ?? k);
  const infos = torchModules(layer, { modules });
  const tensors = toTorch(layer as never, params as never, { modules });
  try {
    return [
      ['model.safetensors', writeSafetensors(tensors)],
      ['modules.json', `${JSON.stringify(infos, null, 2)}\n`],
    ];
  } finally {
    tf.dispose(Object.values(tensors));
  }
}

/**
 * `recur export`: a model file's network in another framework's format, in the folder
 * `out`: `model.onnx`; `model.safetensors` + `modules.json` (the torch modules with
 * their constructor arguments); or a tfjs-layers folder. A token model's tokenizer goes
 * with it as `tokenizer.json`.
 */
export async function exportCommand(
  request: BackendRequest & {
    readonly path: string;
    readonly format: ExportFormat;
    readonly out: string;
    readonly overwrite: boolean;
  },
  io: Io,
): Promise<number> {
  const file = await readModelFile(request.path);
  const { stored, inference: layer } = exportable(file, request.format);
  await checkOut(request.out, request.format, request.overwrite);
  await startBackend(request, io);
  const kinds = kindsOf(stored);
  const all = fromStored(stored.init(new Rng(0)) as ParamTree, file.checkpoint.weights, file.path);
  const params = (all as readonly ParamTree[]).filter((_, i) => kinds[i] !== 'dropout') as ParamTree;
  let files: [string, string | Uint8Array][];
  try {
    files = convert(request.format, layer, params);
  } finally {
    tf.dispose(leaves(params).map(([, t]) => t));
  }
  const tokenizer = (file.config.preprocessing as { tokenizer?: unknown }).tokenizer;
  if (tokenizer !== undefined) files.push([TOKENIZER_FILE, `${JSON.stringify(tokenizer)}\n`]);
  await mkdir(request.out, { recursive: true });
  for (const [name, data] of files) await writeAtomic(join(request.out, name), data);
  println(io.err, `exported the ${file.config.task} model to ${request.format}: ${request.out}`);
  return EXIT.ok;
}
