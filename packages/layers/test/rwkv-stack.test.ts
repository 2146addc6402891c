import { type RwkvCarry, type RwkvParams, rwkv } from '@recur/cells';
import { type Carry, type Cell, type Params, RecurError, Rng, scan } from '@recur/core';
import { checkLeaks, describeBackends, expectClose } from '@recur/test-utils';
import { fit, type SequenceBatch, type TrainableModel } from '@recur/train';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { bidirectional, recurrent, rwkvStack } from '../src/index.js';
import { maskFromRanges, randomTensor } from './helpers/oracle.js';

const [B, T, I, C] = [3, 7, 3, 4];
const TOL = { rtol: 1e-5, atol: 1e-5 };

/** The rwkv cell without its sequence form: `scan` steps it. */
function stepped(cell: Cell): Cell<Carry, Params, unknown> {
  const copy = { ...cell } as Cell<Carry, Params, unknown>;
  delete (copy as { sequence?: unknown }).sequence;
  return copy;
}

const mask = () =>
  maskFromRanges(
    [
      [0, 7],
      [0, 3],
      [2, 6],
    ],
    T,
  );

describeBackends('rwkvStack', () => {
  checkLeaks();

  it('should equal its blocks stepped one after another, with padding', () => {
    const layer = rwkvStack({ inputSize: I, units: C, depth: 2, ffnMultiplier: 2 });
    const params = layer.init(new Rng(1));
    const [x, m] = [randomTensor<tf.Rank.R3>([B, T, I], 2), mask()];
    tf.tidy(() => {
      const { output } = layer.apply(params, x, { mask: m });
      let h: tf.Tensor3D = x;
      [I, C].forEach((inputSize, i) => {
        const cell = stepped(rwkv({ inputSize, units: C, ffnMultiplier: 2 }) as unknown as Cell);
        h = scan(cell, params[i] as unknown as Params, h, { mask: m }).outputs as tf.Tensor3D;
      });
      expect(output.shape).toEqual([B, T, C]);
      expectClose(output, h, TOL);
    });
    tf.dispose([...params.flatMap((p) => Object.values(p as Record<string, tf.Tensor>)), x, m]);
  });

  it('should refuse a bad depth and unknown fields, naming them', () => {
    expect(() => rwkvStack({ inputSize: 2, units: 4, depth: 0 })).toThrow(RecurError);
    expect(() => rwkvStack({ inputSize: 2, units: 4, depth: 1.5 })).toThrow(
      /rwkvStack config\.depth: expected a positive integer/,
    );
    expect(() => rwkvStack({ inputSize: 2, units: 4, depth: 1, heads: 2 } as never)).toThrow(/heads/);
  });

  it('should run bidirectionally: each half equals its direction scanned alone at real steps', () => {
    const layer = bidirectional(recurrent(rwkv({ inputSize: I, units: C }), { returnSequences: true }));
    const params = layer.init(new Rng(3));
    const [x, m] = [randomTensor<tf.Rank.R3>([B, T, I], 4), mask()];
    tf.tidy(() => {
      const { output } = layer.apply(params, x, { mask: m });
      const cell = stepped(rwkv({ inputSize: I, units: C }) as unknown as Cell);
      const forward = scan(cell, params.forward as Params, x, { mask: m }).outputs;
      const backward = scan(cell, params.backward as Params, x, { mask: m, reverse: true, keepOrder: true }).outputs;
      const real = tf.expandDims(m, 2);
      const [f, b] = tf.split(output, 2, 2);
      expectClose(tf.mul(f as tf.Tensor, real), tf.mul(forward, real), TOL);
      expectClose(tf.mul(b as tf.Tensor, real), tf.mul(backward, real), TOL);
    });
    tf.dispose([...Object.values(params.forward), ...Object.values(params.backward), x, m]);
  });
});

/** A readout on an RWKV stack as a `TrainableModel`; its TBPTT state is the blocks' carries. */
function stackModel(inputSize: number, units: number, seed: number, lastOnly: boolean) {
  const layer = rwkvStack({ inputSize, units, depth: 1 });
  const init = layer.init(new Rng(seed));
  const id = `rwkv${seed}${lastOnly}`;
  const variables: Record<string, tf.Variable> = {};
  for (const [k, t] of Object.entries(init[0] as Record<string, tf.Tensor>))
    variables[k] = tf.variable(t, true, `${id}/${k}`);
  const w = tf.tidy(() => tf.mul(tf.randomNormal([units, 1], 0, 1, 'float32', seed), 0.1));
  variables.readout = tf.variable(w, true, `${id}/readout`);
  const zeros = tf.zeros([1]);
  variables.bias = tf.variable(zeros, true, `${id}/bias`);
  tf.dispose([w, zeros, ...Object.values(init[0] as Record<string, tf.Tensor>)]);
  const { readout, bias, ...cellParams } = variables;
  const predict = (inputs: tf.Tensor3D, state?: readonly RwkvCarry[]) => {
    const out = layer.apply([cellParams as unknown as RwkvParams], inputs, state ? { initialState: state } : {});
    const [batch, time] = inputs.shape;
    const h = lastOnly
      ? tf.squeeze(tf.slice(out.output, [0, time - 1, 0], [-1, 1, -1]), [1])
      : tf.reshape(out.output, [batch * time, units]);
    const y = tf.add(tf.matMul(h as tf.Tensor2D, readout as tf.Tensor2D), bias as tf.Tensor);
    return { y: lastOnly ? tf.reshape(y, [batch]) : tf.reshape(y, [batch, time]), state: out.state };
  };
  const model: TrainableModel<SequenceBatch, readonly RwkvCarry[]> = {
    variables,
    loss(batch, { state }) {
      const { y, state: next } = predict(batch.inputs as tf.Tensor3D, state);
      const loss = tf.mean(tf.square(tf.sub(y, batch.targets))) as tf.Scalar;
      return { loss, ...(next ? { state: next as readonly RwkvCarry[] } : {}) };
    },
  };
  return { model, predict, dispose: () => tf.dispose(Object.values(variables)) };
}

/** The adding problem (Hochreiter & Schmidhuber 1997): values in [0, 1], two marked, one in each half; the target is their sum. */
function addingBatch(batch: number, time: number, rng: Rng) {
  const x = new Float32Array(batch * time * 2);
  const y = new Float32Array(batch);
  for (let b = 0; b < batch; b++) {
    const marks = [rng.int(time / 2), time / 2 + rng.int(time / 2)];
    for (let t = 0; t < time; t++) {
      const value = rng.uniform();
      x[(b * time + t) * 2] = value;
      if (marks.includes(t)) {
        x[(b * time + t) * 2 + 1] = 1;
        y[b] = (y[b] as number) + value;
      }
    }
  }
  return { inputs: tf.tensor3d(x, [batch, time, 2]), targets: tf.tensor1d(y) };
}

describeBackends('rwkvStack training', () => {
  it('should learn the adding problem at T = 20, where a memoryless model stays near MSE 1/6', async () => {
    const before = tf.memory().numTensors;
    const m = stackModel(2, 8, 1, true);
    const data = {
      *train(rng: Rng) {
        for (let i = 0; i < 30; i++) yield addingBatch(32, 20, rng);
      },
    };
    await fit(m.model, data, {
      epochs: 6,
      optimizer: { kind: 'adam', learningRate: 0.01 },
      clip: { globalNorm: 5 },
      seed: 2,
    });
    const test = addingBatch(512, 20, new Rng(99));
    const mse = tf.tidy(
      () => tf.mean(tf.square(tf.sub(m.predict(test.inputs).y, test.targets))).dataSync()[0] as number,
    );
    tf.dispose([test.inputs, test.targets]);
    m.dispose();
    expect(tf.memory().numTensors).toBe(before);
    // Predicting the mean sum gives 1/6 ≈ 0.167, the best a model without memory of the marked values can do.
    expect(mse).toBeLessThan(0.02);
  });

  it('should train with truncated BPTT, each chunk starting from the previous chunk’s WKV state', async () => {
    const before = tf.memory().numTensors;
    const m = stackModel(2, 8, 3, false);
    const seen: (number[] | undefined)[] = [];
    const spy: TrainableModel<SequenceBatch, readonly RwkvCarry[]> = {
      variables: m.model.variables,
      loss(batch, ctx) {
        if (ctx.training)
          seen.push(ctx.state === undefined ? undefined : Array.from(ctx.state[0]?.max.dataSync() ?? []));
        return m.model.loss(batch, ctx);
      },
    };
    const data = {
      *train(rng: Rng) {
        for (let i = 0; i < 4; i++) {
          const { inputs, targets: sums } = addingBatch(8, 12, rng);
          sums.dispose();
          // A running sum of the values, a target that needs the state carried across chunks.
          const targets = tf.tidy(() => tf.cumsum(tf.squeeze(tf.slice(inputs, [0, 0, 0], [-1, -1, 1]), [2]), 1));
          yield { inputs, targets };
        }
      },
    };
    const result = await fit(spy, data, {
      epochs: 3,
      optimizer: { kind: 'adam', learningRate: 0.02 },
      tbptt: { k: 4 },
    });
    expect(seen).toHaveLength(3 * 4 * 3);
    expect(seen[0]).toBeUndefined();
    // Chunks 2 and 3 of each sequence start from a state that has seen real steps.
    expect(seen[1]?.every((v) => Number.isFinite(v) && v > -1e37)).toBe(true);
    expect(seen[2]?.every((v) => v > -1e37)).toBe(true);
    expect(seen[3]).toBeUndefined();
    expect(result.losses.every(Number.isFinite)).toBe(true);
    m.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
