import { RecurError, Rng } from '@recur/core';
import { type Checkpoint, decodeCheckpoint, encodeCheckpoint, type StoredTensor } from '@recur/train';
import * as tf from '@tensorflow/tfjs-core';
import { CharModel, type CharModelConfig } from './char-model.js';
import { ForecastModel, type ForecastModelConfig } from './forecast-model.js';

export type PlaygroundModel = CharModel | ForecastModel;

/** Marks a checkpoint as a playground model, so another Recur checkpoint is told apart. */
const APP = 'recur-playground';
const VERSION = 1;

interface FileConfig {
  readonly app: typeof APP;
  readonly version: typeof VERSION;
  readonly model: CharModelConfig | ForecastModelConfig;
}

/** The model in Recur's checkpoint format (@recur/train): weights, its config, a checksum. */
export async function encodeModel(model: PlaygroundModel): Promise<Uint8Array> {
  const weights: Record<string, StoredTensor> = {};
  for (const [name, v] of Object.entries(model.variables)) {
    weights[name] = { shape: [...v.shape], dtype: 'float32', values: Float32Array.from(await v.data()) };
  }
  const config: FileConfig = { app: APP, version: VERSION, model: model.config };
  const checkpoint: Checkpoint = {
    step: model.steps,
    epoch: 0,
    config,
    rng: new Rng(0).state(),
    weights,
    optimizer: [],
  };
  return encodeCheckpoint(checkpoint);
}

function wrongFile(why: string): RecurError {
  return new RecurError('CORRUPT_CHECKPOINT', `model file: ${why}`);
}

function fileConfig(config: unknown): FileConfig {
  const c = config as Partial<FileConfig> | null;
  if (c === null || typeof c !== 'object' || c.app !== APP) {
    throw wrongFile('a Recur checkpoint, but not a playground model (its config has no app: "recur-playground")');
  }
  if (c.version !== VERSION)
    throw wrongFile(`playground model version ${String(c.version)}, this page reads ${VERSION}`);
  const kind = (c.model as { kind?: unknown } | undefined)?.kind;
  if (kind !== 'text' && kind !== 'forecast') throw wrongFile(`unknown model kind ${JSON.stringify(kind)}`);
  return c as FileConfig;
}

/**
 * Rebuilds a model from a file. Everything is checked (format, checksum, config, every
 * weight's name and shape) before the new model is returned; on any failure nothing is
 * kept and the caller's current model is untouched.
 */
export async function decodeModel(bytes: Uint8Array): Promise<PlaygroundModel> {
  const checkpoint = await decodeCheckpoint(bytes);
  const { model: config } = fileConfig(checkpoint.config);
  const model = config.kind === 'text' ? new CharModel(config) : new ForecastModel(config);
  try {
    const variables: Record<string, tf.Variable> = model.variables;
    const expected = Object.keys(variables).sort();
    const found = Object.keys(checkpoint.weights).sort();
    if (expected.join() !== found.join()) {
      throw wrongFile(`weights [${found.join(', ')}] do not match the model's [${expected.join(', ')}]`);
    }
    for (const [name, v] of Object.entries(variables)) {
      const stored = checkpoint.weights[name] as StoredTensor;
      if (stored.shape.join() !== v.shape.join()) {
        throw wrongFile(`weight '${name}' has shape [${stored.shape}], the model needs [${v.shape}]`);
      }
    }
    for (const [name, v] of Object.entries(variables)) {
      const stored = checkpoint.weights[name] as StoredTensor;
      const value = tf.tensor(Float32Array.from(stored.values), [...stored.shape], 'float32');
      v.assign(value);
      value.dispose();
    }
    model.steps = checkpoint.step;
    return model;
  } catch (error) {
    model.dispose();
    throw error;
  }
}
