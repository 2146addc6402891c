import type { RngState } from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';
import type { TrainableModel } from './model.js';
import { derivedRng } from './rng-streams.js';
import { stateTensors } from './step.js';

/**
 * Mean loss and metrics (training off), averaged over batches (each batch counts once,
 * whatever its size). Each batch is disposed after use.
 */
export async function meanOverBatches<Batch, State>(
  model: TrainableModel<Batch, State>,
  batches: Iterable<Batch> | AsyncIterable<Batch>,
  master: RngState,
): Promise<Record<string, number>> {
  const sums: Record<string, number> = {};
  let n = 0;
  for await (const batch of batches) {
    try {
      const values = tf.tidy(() => {
        const out = model.loss(batch, { training: false, rng: derivedRng(master, 'step', -1), state: undefined });
        const named: Record<string, tf.Scalar> = { loss: out.loss, ...(out.metrics ?? {}) };
        return Object.fromEntries(Object.entries(named).map(([k, t]) => [k, t.dataSync()[0] as number]));
      });
      for (const [k, v] of Object.entries(values)) sums[k] = (sums[k] ?? 0) + v;
      n++;
    } finally {
      tf.dispose(stateTensors(batch));
    }
  }
  return Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / Math.max(n, 1)]));
}

/** {@link meanOverBatches} with keys prefixed `val_`: what `fit` reports after each epoch. */
export async function validate<Batch, State>(
  model: TrainableModel<Batch, State>,
  batches: Iterable<Batch> | AsyncIterable<Batch>,
  master: RngState,
): Promise<Record<string, number>> {
  const means = await meanOverBatches(model, batches, master);
  return Object.fromEntries(Object.entries(means).map(([k, v]) => [`val_${k}`, v]));
}
