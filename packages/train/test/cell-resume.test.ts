/**
 * Exact resume for the comeback cells: each one, run over time by `scan` with its state
 * carried from TBPTT chunk to chunk, stopped mid-batch, its checkpoint written and read
 * back as bytes, then resumed, ends with the weights, optimizer slots and losses of the
 * run that never stopped, bit for bit. The carries reach rank 4 (mLSTM's C), so the state
 * a checkpoint holds is more than a list of [batch, units] matrices.
 */
import { minGru, minLstm, mlstm, rwkv, slstm } from '@recur/cells';
import type { Carry, Cell } from '@recur/core';
import { describeBackends } from '@recur/test-utils';
import {
  type Checkpoint,
  decodeCheckpoint,
  encodeCheckpoint,
  type FitOptions,
  fit,
  type SequenceBatch,
  type TrainableModel,
} from '@recur/train';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { sequenceModel } from './helpers/cell-model.js';
import { sumData } from './helpers/tiny-rnn.js';

// 3 batches of 4 sequences of 6 steps; TBPTT k = 2 makes 3 chunks per batch, 9 steps per epoch.
const data = sumData(3, 4, 6);
const STEPS = 12;
const options: FitOptions = {
  epochs: 2,
  maxSteps: STEPS,
  optimizer: { kind: 'adam', learningRate: 0.01 },
  tbptt: { k: 2 },
  seed: 5,
};

const cells: [string, () => Cell][] = [
  ['minGRU', () => minGru({ inputSize: 2, units: 4 }) as unknown as Cell],
  ['minLSTM, expansion 2', () => minLstm({ inputSize: 2, units: 4, expansion: 2 }) as unknown as Cell],
  ['sLSTM, 2 heads', () => slstm({ inputSize: 2, units: 4, heads: 2 }) as unknown as Cell],
  ['mLSTM, chunkwise', () => mlstm({ inputSize: 2, units: 4, heads: 2, chunkSize: 3 }) as unknown as Cell],
  ['RWKV', () => rwkv({ inputSize: 2, units: 4 }) as unknown as Cell],
];

/** Trains `cell` (fresh weights from one seed) from `resumeFrom`, up to `maxSteps`; every checkpoint through the file format. */
async function run(cell: Cell, maxSteps: number, resumeFrom?: Checkpoint) {
  const before = tf.memory().numTensors;
  const m = sequenceModel(cell, 1, 9, (x) => x as tf.Tensor3D);
  const model: TrainableModel<SequenceBatch, Carry> = {
    variables: m.variables,
    loss(batch, { state }) {
      const { y, state: next } = m.run(batch.inputs, state);
      return { loss: tf.mean(tf.square(tf.sub(y, batch.targets))) as tf.Scalar, state: next };
    },
  };
  const saved: Checkpoint[] = [];
  try {
    const result = await fit(model, data, {
      ...options,
      maxSteps,
      ...(resumeFrom === undefined ? {} : { resumeFrom }),
      checkpoint: { every: 4, save: async (c) => void saved.push(await decodeCheckpoint(await encodeCheckpoint(c))) },
    });
    return { losses: result.losses, last: saved.at(-1) as Checkpoint };
  } finally {
    m.dispose();
    expect(tf.memory().numTensors, 'tensors leaked by fit').toBe(before);
  }
}

/** Weights and optimizer slots as raw bits. */
function bits(c: Checkpoint) {
  const raw = (v: Float32Array | Int32Array) => Array.from(new Uint32Array(v.buffer, v.byteOffset, v.length));
  return {
    step: c.step,
    weights: Object.fromEntries(Object.entries(c.weights).map(([k, t]) => [k, raw(t.values)])),
    optimizer: c.optimizer.map((t) => raw(t.values)),
  };
}

describeBackends('fit resumed with a comeback cell', () => {
  it.each(cells)('should resume %s from a mid-batch checkpoint bit for bit', async (_, make) => {
    const full = await run(make(), STEPS);
    // Step 4 ends chunk 0 of batch 1: the checkpoint must carry the state into chunk 1.
    const stopped = await run(make(), 4);
    expect(stopped.last.step).toBe(4);
    expect(stopped.last.extra).toMatchObject({ position: { batch: 1, chunk: 1 } });
    const resumed = await run(make(), STEPS, stopped.last);
    expect(bits(resumed.last)).toEqual(bits(full.last));
    expect(resumed.losses.slice(-(STEPS - 4))).toEqual(full.losses.slice(-(STEPS - 4)));
  });
});
