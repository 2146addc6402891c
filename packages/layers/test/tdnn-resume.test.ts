/**
 * `fit` checkpoints of a time-delay stack resume exactly: a dilated TDNN stack (Peddinti
 * et al. 2015: a contiguous context, then spliced frames at dilation 3) made trainable,
 * stopped mid-epoch, its checkpoint written and read back as bytes, then resumed, ends
 * with the weights and optimizer slots of the run that never stopped, bit for bit. The
 * stack holds no state, so what must survive is the data order and the optimizer.
 */
import { Rng } from '@recur/core';
import { describeBackends } from '@recur/test-utils';
import { type Checkpoint, decodeCheckpoint, encodeCheckpoint, fit, meanSquaredError } from '@recur/train';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { dense, stacked, tdnn, timeDistributed, trainable } from '../src/index.js';

const STEPS = 10;

/** 4 batches of 4 noisy sines [4, 12, 1], the next value the target at every frame; fresh order each epoch. */
function sines() {
  const all = Array.from({ length: 16 }, (_, i) =>
    Array.from({ length: 13 }, (_, t) => Math.sin(0.7 * i + 0.5 * t) + 0.1 * Math.cos(3.1 * i * t)),
  );
  const batch = (rows: number[][]) => ({
    inputs: tf.tensor3d(
      rows.map((r) => r.slice(0, 12).map((v) => [v])),
      [rows.length, 12, 1],
    ),
    targets: tf.tensor3d(
      rows.map((r) => r.slice(1).map((v) => [v])),
      [rows.length, 12, 1],
    ),
  });
  return {
    *train(rng: Rng) {
      const order = rng.shuffle(Array.from({ length: 16 }, (_, i) => i));
      for (let k = 0; k < 4; k++) yield batch(order.slice(4 * k, 4 * k + 4).map((i) => all[i] as number[]));
    },
  };
}

async function run(maxSteps: number, resumeFrom?: Checkpoint) {
  const before = tf.memory().numTensors;
  const net = stacked([
    tdnn({ inputSize: 1, units: 6, context: { kind: 'range', from: -2, to: 0 } }),
    tdnn({ inputSize: 6, units: 6, context: { kind: 'offsets', offsets: [-1, 0] }, dilation: 3 }),
    timeDistributed(dense({ inputSize: 6, units: 1 })),
  ]);
  const model = trainable(net, { loss: meanSquaredError, rng: new Rng(4) });
  const saved: Checkpoint[] = [];
  try {
    const result = await fit(model, sines(), {
      epochs: 3,
      maxSteps,
      optimizer: { kind: 'adam', learningRate: 0.01 },
      seed: 6,
      ...(resumeFrom === undefined ? {} : { resumeFrom }),
      checkpoint: { every: 3, save: async (c) => void saved.push(await decodeCheckpoint(await encodeCheckpoint(c))) },
    });
    return { losses: result.losses, last: saved.at(-1) as Checkpoint };
  } finally {
    model.dispose();
    expect(tf.memory().numTensors, 'tensors leaked by fit').toBe(before);
  }
}

const bits = (c: Checkpoint) => {
  const raw = (v: Float32Array | Int32Array) => Array.from(new Uint32Array(v.buffer, v.byteOffset, v.length));
  return {
    step: c.step,
    weights: Object.fromEntries(Object.entries(c.weights).map(([k, t]) => [k, raw(t.values)])),
    optimizer: c.optimizer.map((t) => raw(t.values)),
  };
};

describeBackends('fit resumed with a TDNN stack', () => {
  it('should resume from a mid-epoch checkpoint bit for bit', async () => {
    const full = await run(STEPS);
    const stopped = await run(6);
    expect(stopped.last.step).toBe(6);
    const resumed = await run(STEPS, stopped.last);
    expect(bits(resumed.last)).toEqual(bits(full.last));
    expect(resumed.losses.slice(-4)).toEqual(full.losses.slice(-4));
    // Training moved the weights: the comparison is of trained weights, not of the initial ones.
    expect(bits(resumed.last).weights).not.toEqual(bits(stopped.last).weights);
  });
});
