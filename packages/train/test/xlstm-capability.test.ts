import { mlstm, slstm } from '@recur/cells';
import { type Carry, type Cell, Rng } from '@recur/core';
import { describeBackends } from '@recur/test-utils';
import { accuracy, fit, type SequenceBatch, softmaxCrossEntropy, type TrainableModel } from '@recur/train';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { sequenceModel } from './helpers/cell-model.js';

const TIME = 12;

/** "1+1+1" as in counting.test.ts: after each 0/1 digit, the count of 1s so far mod 10. */
function digits(batch: number, rng: Rng) {
  const x = new Int32Array(batch * TIME);
  const y = new Int32Array(batch * TIME);
  for (let b = 0; b < batch; b++) {
    let count = 0;
    for (let t = 0; t < TIME; t++) {
      const bit = rng.int(2);
      count += bit;
      x[b * TIME + t] = bit;
      y[b * TIME + t] = count % 10;
    }
  }
  return { x, y };
}

/**
 * The adding problem (Hochreiter & Schmidhuber 1997, experiment 4): pairs (value in
 * [0, 1], marker), two markers per sequence; the target at the last step is the sum of
 * the two marked values. A memoryless model sees one step and cannot beat predicting the
 * mean: MSE ≈ Var(u₁ + u₂) = 1/6.
 */
function adding(batch: number, time: number, rng: Rng) {
  const x = new Float32Array(batch * time * 2);
  const y = new Float32Array(batch);
  for (let b = 0; b < batch; b++) {
    const first = rng.int(Math.floor(time / 2));
    const second = Math.floor(time / 2) + rng.int(time - Math.floor(time / 2));
    for (let t = 0; t < time; t++) {
      const v = rng.uniform();
      x[(b * time + t) * 2] = v;
      if (t === first || t === second) {
        x[(b * time + t) * 2 + 1] = 1;
        y[b] = (y[b] as number) + v;
      }
    }
  }
  return { x, y };
}

describeBackends('xLSTM cells learn tasks a memoryless model cannot', () => {
  it('should teach sLSTM the running count mod 10 to ≥ 99% on fresh streams, trained by truncated BPTT (k = 6)', async () => {
    const before = tf.memory().numTensors;
    const m = sequenceModel(
      slstm({ inputSize: 2, units: 24, heads: 2 }) as unknown as Cell,
      10,
      3,
      (x) => tf.cast(tf.oneHot(tf.cast(x, 'int32'), 2), 'float32') as tf.Tensor3D,
    );
    const model: TrainableModel<SequenceBatch, Carry> = {
      variables: m.variables,
      loss(batch, { state }) {
        const { y, state: next } = m.run(batch.inputs, state);
        return { loss: softmaxCrossEntropy(y, batch.targets), state: next };
      },
    };
    const data = {
      *train(rng: Rng) {
        for (let i = 0; i < 25; i++) {
          const { x, y } = digits(32, rng);
          yield { inputs: tf.tensor2d(x, [32, TIME], 'int32'), targets: tf.tensor2d(y, [32, TIME], 'int32') };
        }
      },
    };
    await fit(model, data, {
      epochs: 16,
      optimizer: { kind: 'adam', learningRate: 0.02 },
      clip: { globalNorm: 5 },
      tbptt: { k: 6 },
      seed: 1,
    });
    const { x, y } = digits(512, new Rng(999));
    const predicted = tf.tidy(() => tf.argMax(m.run(tf.tensor2d(x, [512, TIME], 'int32')).y, -1).dataSync());
    const acc = accuracy(predicted, y);
    m.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(acc).toBeGreaterThanOrEqual(0.99);
  }, 120_000);

  it('should solve the adding problem at T = 20 with mLSTM (parallel form) to MSE < 0.01, against 1/6 without memory', async () => {
    const before = tf.memory().numTensors;
    const time = 20;
    const m = sequenceModel(
      mlstm({ inputSize: 2, units: 16, heads: 2, parallel: 'quadratic' }) as unknown as Cell,
      1,
      4,
      (x) => x as tf.Tensor3D,
    );
    const last = (y: tf.Tensor) => tf.reshape(tf.slice(y, [0, time - 1, 0], [-1, 1, 1]), [-1]);
    const model: TrainableModel<SequenceBatch> = {
      variables: m.variables,
      loss: (batch) => ({ loss: tf.mean(tf.square(tf.sub(last(m.run(batch.inputs).y), batch.targets))) as tf.Scalar }),
    };
    const data = {
      *train(rng: Rng) {
        for (let i = 0; i < 16; i++) {
          const { x, y } = adding(32, time, rng);
          yield { inputs: tf.tensor3d(x, [32, time, 2]), targets: tf.tensor1d(y) };
        }
      },
    };
    await fit(model, data, {
      epochs: 15,
      optimizer: { kind: 'adam', learningRate: 0.01 },
      clip: { globalNorm: 5 },
      seed: 2,
    });
    const { x, y } = adding(512, time, new Rng(99));
    const mse = tf.tidy(
      () => tf.mean(tf.square(tf.sub(last(m.run(tf.tensor3d(x, [512, time, 2])).y), tf.tensor1d(y)))).dataSync()[0],
    ) as number;
    m.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(mse, `held-out MSE ${mse}`).toBeLessThan(0.01);
  }, 120_000);
});
