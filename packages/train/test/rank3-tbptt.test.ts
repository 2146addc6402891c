import { Rng, scan } from '@recur/core';
import { describeBackends, expectClose, type MatrixMemoryCarry, matrixMemoryCell } from '@recur/test-utils';
import {
  type Checkpoint,
  decodeCheckpoint,
  encodeCheckpoint,
  fit,
  type SequenceBatch,
  type TrainableModel,
} from '@recur/train';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { sumData } from './helpers/tiny-rnn.js';

const D = 3;
let counter = 0;

/**
 * The matrix-memory cell (carry `{ C: [batch, d, d], h }`, only `step`) run by `scan` with
 * a linear readout, as a `TrainableModel` whose TBPTT state is the cell's carry.
 */
function matrixMemoryModel(seed: number) {
  const cell = matrixMemoryCell(2, D);
  const init = cell.init(new Rng(seed));
  const id = counter++;
  const params = Object.fromEntries(
    Object.entries(init).map(([k, v]) => [k, tf.variable(v, true, `matrixMemory${id}/${k}`)]),
  ) as unknown as typeof init;
  const start = tf.fill([D, 1], 0.3);
  const readout = tf.variable(start, true, `matrixMemory${id}/readout`);
  tf.dispose([start, ...Object.values(init)]);
  const variables = { ...(params as unknown as Record<string, tf.Variable>), readout };
  const forward = (inputs: tf.Tensor3D, state: MatrixMemoryCarry | undefined) =>
    scan(cell, params, inputs, state === undefined ? {} : { initialState: state });
  const model: TrainableModel<SequenceBatch, MatrixMemoryCarry> = {
    variables,
    loss(batch, { state }) {
      const { outputs, state: next } = forward(batch.inputs as tf.Tensor3D, state);
      const [b, time] = outputs.shape as [number, number, number];
      const yhat = tf.reshape(tf.matMul(tf.reshape(outputs, [b * time, D]), readout), [b, time, 1]);
      return { loss: tf.mean(tf.square(tf.sub(yhat, batch.targets))) as tf.Scalar, ...(next ? { state: next } : {}) };
    },
  };
  return { model, forward, dispose: () => tf.dispose(Object.values(variables)) };
}

describeBackends('truncated BPTT with a rank-3 carry', () => {
  it("should hand each chunk the previous chunk's final rank-3 state, as scanning that chunk gives it", async () => {
    const before = tf.memory().numTensors;
    const m = matrixMemoryModel(1);
    const snapshot = Object.fromEntries(Object.entries(m.model.variables).map(([k, v]) => [k, tf.clone(v)]));
    const chunks: { inputs: tf.Tensor3D; state: number[] | undefined; shape: number[] | undefined }[] = [];
    const spy: TrainableModel<SequenceBatch, MatrixMemoryCarry> = {
      variables: m.model.variables,
      loss(batch, ctx) {
        if (ctx.training)
          chunks.push({
            inputs: tf.keep(tf.clone(batch.inputs)) as tf.Tensor3D,
            state: ctx.state === undefined ? undefined : Array.from(ctx.state.C.dataSync()),
            shape: ctx.state?.C.shape,
          });
        return m.model.loss(batch, ctx);
      },
    };
    await fit(spy, sumData(1, 2, 4), { epochs: 1, optimizer: { kind: 'sgd', learningRate: 0.1 }, tbptt: { k: 2 } });
    expect(chunks).toHaveLength(2);
    expect(chunks[0]?.state).toBeUndefined();
    expect(chunks[1]?.shape).toEqual([2, D, D]);
    // Chunk 1 ran before the first update: with the initial weights.
    for (const [k, v] of Object.entries(m.model.variables)) v.assign(snapshot[k] as tf.Tensor);
    const first = m.forward(chunks[0]?.inputs as tf.Tensor3D, undefined);
    expectClose(chunks[1]?.state as number[], Array.from(first.state?.C.dataSync() ?? []), { rtol: 1e-5, atol: 1e-6 });
    tf.dispose([first, snapshot, chunks.map((c) => c.inputs)] as tf.TensorContainer[]);
    m.dispose();
    expect(tf.memory().numTensors, 'tensors leaked').toBe(before);
  });

  it('should lower the loss when training through the rank-3 state', async () => {
    const before = tf.memory().numTensors;
    const m = matrixMemoryModel(2);
    const r = await fit(m.model, sumData(4, 8, 6), {
      epochs: 10,
      optimizer: { kind: 'adam', learningRate: 0.05 },
      tbptt: { k: 3 },
      seed: 5,
    });
    const losses = r.history.map((h) => h.loss);
    expect(Math.min(...losses)).toBeLessThan((losses[0] as number) * 0.9);
    expect(losses.every(Number.isFinite)).toBe(true);
    m.dispose();
    expect(tf.memory().numTensors, 'tensors leaked').toBe(before);
  });
});

describeBackends('truncated BPTT state through a checkpoint', () => {
  it('should hand a resumed chunk the state the model returned, undefined slots included', async () => {
    const before = tf.memory().numTensors;
    const m = matrixMemoryModel(2);
    // A stacked model's state: one slot per layer, undefined for a layer without state.
    type Slots = [undefined, MatrixMemoryCarry | undefined];
    const seen: (Slots | undefined)[] = [];
    const slotted: TrainableModel<SequenceBatch, Slots> = {
      variables: m.model.variables,
      loss(batch, ctx) {
        if (ctx.training) seen.push(ctx.state);
        const out = m.model.loss(batch, { ...ctx, state: ctx.state?.[1] });
        return { loss: out.loss, ...(out.state ? { state: [undefined, out.state] as Slots } : {}) };
      },
    };
    const base = { epochs: 1, optimizer: { kind: 'sgd', learningRate: 0.1 }, tbptt: { k: 2 } } as const;
    const saved: Checkpoint[] = [];
    const stopped = await fit(slotted, sumData(1, 2, 4), {
      ...base,
      maxSteps: 1,
      checkpoint: { every: 1, save: async (c) => void saved.push(await decodeCheckpoint(await encodeCheckpoint(c))) },
    });
    expect(stopped.stopReason).toBe('maxSteps');
    seen.length = 0;
    await fit(slotted, sumData(1, 2, 4), { ...base, resumeFrom: saved.at(-1) as Checkpoint });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toHaveLength(2);
    expect(seen[0]?.[0]).toBeUndefined();
    expect(seen[0]?.[1]?.C.shape).toEqual([2, D, D]);
    m.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
