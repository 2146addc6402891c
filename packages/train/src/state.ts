import { RecurError, type RngState } from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';
import type { Checkpoint, StoredTensor } from './checkpoint/format.js';
import type { EarlyStoppingState } from './early-stopping.js';

/** What `fit` needs, beyond weights and optimizer slots, to continue as if never stopped. */
export interface Progress {
  readonly losses: readonly number[];
  readonly skippedSteps: number;
  readonly epochLoss: number;
  readonly epochSteps: number;
  readonly early?: EarlyStoppingState;
}

interface Extra {
  readonly batchInEpoch: number;
  readonly progress: Progress;
}

async function stored(t: tf.Tensor): Promise<StoredTensor> {
  const dtype = t.dtype === 'int32' ? 'int32' : 'float32';
  const values = (await t.data()) as Float32Array | Int32Array;
  return {
    shape: [...t.shape],
    dtype,
    values: dtype === 'int32' ? Int32Array.from(values) : Float32Array.from(values),
  };
}

export async function snapshotTrainingState(args: {
  variables: Readonly<Record<string, tf.Variable>>;
  optimizer: tf.Optimizer;
  step: number;
  epoch: number;
  batchInEpoch: number;
  master: RngState;
  config: unknown;
  progress: Progress;
}): Promise<Checkpoint> {
  const weights: Record<string, StoredTensor> = {};
  for (const [name, v] of Object.entries(args.variables)) weights[name] = await stored(v);
  const optimizer = [];
  for (const w of await args.optimizer.getWeights()) {
    optimizer.push({ name: w.name, ...(await stored(w.tensor)) });
    // tfjs makes the iteration count afresh for each call; the slots are the optimizer's own.
    if (w.name === 'iter') w.tensor.dispose();
  }
  const extra: Extra = {
    batchInEpoch: args.batchInEpoch,
    progress: { ...args.progress, losses: [...args.progress.losses] },
  };
  return {
    step: args.step,
    epoch: args.epoch,
    config: args.config ?? null,
    rng: args.master,
    weights,
    optimizer,
    extra,
  };
}

/**
 * Puts weights and optimizer slots back. Every weight is checked against the model
 * before anything is assigned, so a checkpoint of another model changes nothing.
 */
export async function restoreTrainingState(
  checkpoint: Checkpoint,
  variables: Readonly<Record<string, tf.Variable>>,
  optimizer: tf.Optimizer,
): Promise<Extra> {
  for (const [name, v] of Object.entries(variables)) {
    const w = checkpoint.weights[name];
    if (w === undefined)
      throw new RecurError(
        'CORRUPT_CHECKPOINT',
        `checkpoint has no weight '${name}' (it was saved from another model)`,
      );
    if (w.shape.join() !== v.shape.join()) {
      throw new RecurError(
        'SHAPE_MISMATCH',
        `checkpoint weight '${name}': expected shape [${v.shape}], received [${w.shape}] (saved from another model shape)`,
      );
    }
  }
  const extraWeights = Object.keys(checkpoint.weights).filter((n) => !(n in variables));
  if (extraWeights.length > 0) {
    throw new RecurError(
      'CORRUPT_CHECKPOINT',
      `checkpoint has weights this model lacks: ${extraWeights.slice(0, 5).join(', ')}`,
    );
  }
  for (const [name, v] of Object.entries(variables)) {
    const w = checkpoint.weights[name] as StoredTensor;
    tf.tidy(() => v.assign(tf.tensor(w.values, [...w.shape], w.dtype)));
  }
  if (checkpoint.optimizer.length > 0) {
    const tensors = checkpoint.optimizer.map((w) => ({
      name: w.name,
      tensor: tf.tensor(w.values, [...w.shape], w.dtype),
    }));
    // The optimizer's new slot variables share these tensors' data (reference counted).
    await optimizer.setWeights(tensors);
    tf.dispose(tensors.map((t) => t.tensor));
  }
  const extra = checkpoint.extra as Partial<Extra> | undefined;
  return {
    batchInEpoch: extra?.batchInEpoch ?? 0,
    progress: extra?.progress ?? { losses: [], skippedSteps: 0, epochLoss: 0, epochSteps: 0 },
  };
}
