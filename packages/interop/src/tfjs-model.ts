/**
 * tfjs-layers model folders (`model.json` + `.bin` shards, the "layers-model" format
 * that `model.save` and the Keras converter `tensorflowjs_converter --input_format
 * keras` write) ↔ Recur stacked models and params. Weights are matched to layers by
 * the layer-name prefix of their manifest names, in manifest order (as tfjs-layers
 * lists `layer.weights`), and every count, dtype, shape and byte is checked before
 * any tensor is made.
 */
import { badArgument, RecurError } from '@recur/core';
import { type AnyLayer, type ParamTree, stacked, toKerasWeights } from '@recur/layers';
import * as tf from '@tensorflow/tfjs-core';
import { concatBytes, float32Bytes } from './bytes.js';
import { type KerasLayerJson, layerFromKeras, layerToKeras } from './keras-layers.js';
import { kerasChain } from './keras-topology.js';
import { type LoadedStack, modelParts, partParams } from './model-parts.js';

/** A model folder in memory: the parsed `model.json` and each shard's bytes by its manifest path. */
export interface TfjsModelFiles {
  readonly modelJson: Record<string, unknown>;
  readonly shards: Readonly<Record<string, Uint8Array>>;
}

/** A model read from a file: the Recur model and its params (owned by the caller). */
export interface LoadedModel {
  readonly model: LoadedStack;
  readonly params: ParamTree[];
}

interface WeightEntry {
  readonly name: string;
  readonly shape: number[];
  readonly data: Float32Array;
}

function corrupt(what: string): RecurError {
  return new RecurError('CORRUPT_FILE', `model.json: ${what}`);
}

/** Every weight of the manifest, read from the shards (no tensor made). */
function readManifest(files: TfjsModelFiles): WeightEntry[] {
  const manifest = files.modelJson.weightsManifest;
  if (!Array.isArray(manifest)) throw corrupt('weightsManifest is not a list');
  return manifest.flatMap((group: { paths?: unknown; weights?: unknown }, g) => {
    if (!Array.isArray(group?.paths) || !Array.isArray(group.weights)) {
      throw corrupt(`weightsManifest[${g}] needs paths and weights lists`);
    }
    const parts = group.paths.map((p: unknown) => {
      const bytes = typeof p === 'string' ? files.shards[p] : undefined;
      if (!(bytes instanceof Uint8Array)) throw corrupt(`weight shard '${String(p)}' is missing`);
      return bytes;
    });
    const joined = concatBytes(parts);
    const total = joined.byteLength;
    const view = new DataView(joined.buffer);
    let at = 0;
    const out = group.weights.map((w: { name?: unknown; shape?: unknown; dtype?: unknown; quantization?: unknown }) => {
      const name = String(w?.name);
      if (w?.quantization !== undefined)
        throw new RecurError('NOT_SUPPORTED', `model.json: weight '${name}' is quantized`);
      if (w.dtype !== 'float32')
        throw corrupt(`weight '${name}' has dtype ${JSON.stringify(w.dtype)}, expected float32`);
      const shape = w.shape;
      if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
        throw corrupt(`weight '${name}' has shape ${JSON.stringify(shape)}`);
      }
      const size = shape.reduce((a: number, b: number) => a * b, 1);
      if (at + 4 * size > total) throw corrupt(`weight '${name}' runs past the end of its shards (${total} bytes)`);
      const data = new Float32Array(size);
      for (let i = 0; i < size; i++) data[i] = view.getFloat32(at + 4 * i, true);
      at += 4 * size;
      return { name, shape: shape as number[], data };
    });
    if (at !== total) throw corrupt(`weightsManifest[${g}] lists ${at} bytes, its shards hold ${total}`);
    return out;
  });
}

/**
 * Reads a tfjs-layers model folder into a Recur stacked model with its weights.
 * Throws `NOT_SUPPORTED` naming a layer Recur has no equivalent for, `CORRUPT_FILE`
 * for a missing shard or malformed manifest, `SHAPE_MISMATCH` for a weight whose
 * shape does not fit its layer. Nothing is allocated when it throws.
 */
export function fromTfjsModel(files: TfjsModelFiles): LoadedModel {
  if (files === null || typeof files !== 'object' || files.modelJson === null || typeof files.modelJson !== 'object') {
    throw badArgument('BAD_DATA', 'files', '{ modelJson, shards }', files);
  }
  const chain = kerasChain(files.modelJson.modelTopology);
  checkKeras3Activations(chain.layers, files.modelJson.modelTopology);
  const weights = readManifest(files);
  const generatedBy = String(files.modelJson.generatedBy ?? '');
  // Files from Keras (through the converter) keep Keras' zeros; the format's own runtime,
  // tfjs-layers, repeats the previous output, and so do files it or Recur wrote.
  const context = {
    bidirectionalMaskedOutput: generatedBy.startsWith('keras') ? 'zeros' : 'previous',
  } as const;
  let size = chain.inputShape.at(-1) ?? 0;
  const layers: AnyLayer[] = [];
  const layerWeights: WeightEntry[][] = [];
  const used = new Set<string>();
  for (const json of chain.layers) {
    const made = layerFromKeras(json, { ...context, inputSize: size as number });
    const name = String(json.config.name);
    const own = weights.filter((w) => w.name.startsWith(`${name}/`));
    const specs = made.flatMap((l) => l.kerasWeightSpec());
    if (own.length !== specs.length) {
      throw new RecurError(
        'SHAPE_MISMATCH',
        `model.json: layer '${name}' has ${own.length} weights, expected ${specs.length}`,
      );
    }
    specs.forEach((spec, i) => {
      const w = own[i] as WeightEntry;
      if (w.shape.join() !== spec.shape.join()) {
        throw badArgument(
          'SHAPE_MISMATCH',
          `model.json weight '${w.name}'`,
          `shape [${spec.shape}] (${spec.name})`,
          `[${w.shape}]`,
        );
      }
      used.add(w.name);
    });
    let at = 0;
    for (const layer of made) {
      const count = layer.kerasWeightSpec().length;
      layers.push(layer);
      layerWeights.push(own.slice(at, at + count));
      at += count;
      size = layer.outputSize ?? size;
    }
  }
  const unused = weights.filter((w) => !used.has(w.name)).map((w) => w.name);
  if (unused.length > 0) throw corrupt(`weights of no layer: ${unused.join(', ')}`);
  const model = stacked(layers) as unknown as LoadedStack;
  const params = tf.tidy(
    () =>
      layers.map((layer, i) =>
        layer.fromKerasWeights((layerWeights[i] as WeightEntry[]).map((w) => tf.tensor(w.data, w.shape))),
      ) as tf.TensorContainer,
  ) as unknown as ParamTree[];
  return { model, params };
}

/**
 * Keras 3 redefined `hard_sigmoid` as relu6(x + 3) / 6; Recur's (and Keras 2's, and
 * tfjs-layers') is clip(0.2·x + 0.5, 0, 1). A Keras 3 model using it is refused
 * rather than run with the other function.
 */
function checkKeras3Activations(layers: readonly KerasLayerJson[], topology: unknown): void {
  const version = String((topology as { keras_version?: unknown } | null)?.keras_version ?? '');
  if (!version.startsWith('3.')) return;
  for (const json of layers) {
    const configs = [json.config, (json.config.layer as KerasLayerJson | undefined)?.config];
    const hard = configs.some((c) => c?.activation === 'hard_sigmoid' || c?.recurrent_activation === 'hard_sigmoid');
    if (hard) {
      throw new RecurError(
        'NOT_SUPPORTED',
        `model.json: layer '${String(json.config.name)}' uses Keras 3's hard_sigmoid (relu6(x + 3) / 6), not Keras 2's clip(0.2x + 0.5, 0, 1) that Recur has`,
      );
    }
  }
}

const KERAS_CLASS_NAMES: Record<string, string> = {
  embedding: 'embedding',
  masking: 'masking',
  activation: 'activation',
  bidirectional: 'bidirectional',
  timeDistributed: 'time_distributed',
  dense: 'dense',
  dropout: 'dropout',
};

/** The tfjs-layers weight names of a layer's Keras weight spec names. */
function weightName(layerName: string, json: KerasLayerJson, specName: string): string {
  if (json.class_name !== 'Bidirectional') return `${layerName}/${specName}`;
  const inner = String((json.config.layer as KerasLayerJson).config.name);
  const [direction, rest] = specName.split('/') as [string, string];
  return `${layerName}/${direction}_${inner}/${rest}`;
}

/**
 * A tfjs-layers model folder for `model` (a stacked model or one layer) with `params`:
 * a Sequential `model.json` and one shard, `group1-shard1of1.bin`. `tf.loadLayersModel`
 * loads it and predicts what Recur does. Throws `NOT_SUPPORTED` for what Keras cannot express.
 */
export function toTfjsModel(model: AnyLayer, params: ParamTree): TfjsModelFiles {
  const parts = modelParts(model);
  const layers: KerasLayerJson[] = [];
  const manifest: { name: string; shape: number[]; dtype: 'float32' }[] = [];
  const datas: Float32Array[] = [];
  parts.forEach((part, i) => {
    const { layer } = part;
    const kind = layer.kind === 'recurrent' ? (layer as unknown as { cell: { kind: string } }).cell.kind : layer.kind;
    const name = `${KERAS_CLASS_NAMES[kind] ?? { elman: 'simple_rnn', lstm: 'lstm', gru: 'gru' }[kind] ?? kind}_${i + 1}`;
    const json = layerToKeras(layer, name);
    if (i === 0) {
      json.config.batch_input_shape = layer.kind === 'embedding' ? [null, null] : [null, null, layer.inputSize];
      json.config.dtype = 'float32';
    }
    layers.push(json);
    const tensors = toKerasWeights(layer as never, partParams(params, part) as never);
    layer.kerasWeightSpec().forEach((spec, j) => {
      const t = tensors[j] as tf.Tensor;
      manifest.push({ name: weightName(name, json, spec.name), shape: [...t.shape], dtype: 'float32' });
      datas.push(t.dataSync() as Float32Array);
    });
    tf.dispose(tensors);
  });
  const bytes = float32Bytes(datas);
  const shard = 'group1-shard1of1.bin';
  return {
    modelJson: {
      format: 'layers-model',
      generatedBy: 'Recur @recur/interop',
      convertedBy: null,
      modelTopology: {
        class_name: 'Sequential',
        config: { name: 'sequential', layers },
        keras_version: 'tfjs-layers 4.22.0',
        backend: 'tensor_flow.js',
      },
      weightsManifest: [{ paths: [shard], weights: manifest }],
    },
    shards: { [shard]: bytes },
  };
}
