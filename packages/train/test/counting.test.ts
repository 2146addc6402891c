import { gru, lstm } from '@recur/cells';
import { type Cell, Rng, scan } from '@recur/core';
import { describeBackends } from '@recur/test-utils';
import { accuracy, fit, type SequenceBatch, softmaxCrossEntropy, type TrainableModel } from '@recur/train';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';

const TIME = 12;
const UNITS = 24;
let id = 0;

/**
 * "1+1+1": a stream of 0/1 digits; after each digit the model says how many 1s it has
 * seen so far, mod 10. A recurrent cell over one-hot digits, a dense softmax head.
 */
function counter(kind: 'lstm' | 'gru', seed: number) {
  const cell = (kind === 'lstm' ? lstm({ inputSize: 2, units: UNITS }) : gru({ inputSize: 2, units: UNITS })) as Cell;
  const rng = new Rng(seed);
  const prefix = `counter${id++}`;
  const init = cell.init(rng);
  const variables: Record<string, tf.Variable> = {};
  for (const [k, t] of Object.entries(init)) variables[`cell/${k}`] = tf.variable(t, true, `${prefix}/cell/${k}`);
  tf.dispose(Object.values(init));
  const w = tf.tidy(() => tf.mul(tf.randomNormal([UNITS, 10], 0, 1, 'float32', seed), 0.1));
  variables['head/kernel'] = tf.variable(w, true, `${prefix}/head/kernel`);
  const zeros = tf.zeros([10]);
  variables['head/bias'] = tf.variable(zeros, true, `${prefix}/head/bias`);
  tf.dispose([w, zeros]);
  const logits = (inputs: tf.Tensor) => {
    const params = Object.fromEntries(
      Object.entries(variables)
        .filter(([k]) => k.startsWith('cell/'))
        .map(([k, v]) => [k.slice(5), v]),
    );
    const xs = tf.cast(tf.oneHot(tf.cast(inputs, 'int32'), 2), 'float32') as tf.Tensor3D;
    const { outputs } = scan(cell, params, xs, { returnState: false });
    const [b, t] = inputs.shape as [number, number];
    const flat = tf.reshape(outputs, [b * t, UNITS]) as tf.Tensor2D;
    return tf.reshape(
      tf.add(tf.matMul(flat, variables['head/kernel'] as tf.Tensor2D), variables['head/bias'] as tf.Tensor),
      [b, t, 10],
    );
  };
  const model: TrainableModel<SequenceBatch> & { dispose(): void; logits: typeof logits } = {
    variables,
    loss: (batch) => ({ loss: softmaxCrossEntropy(logits(batch.inputs), batch.targets) }),
    dispose: () => tf.dispose(Object.values(variables)),
    logits,
  };
  return model;
}

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

describeBackends('training on "1+1+1" (running count mod 10)', () => {
  it.each(['lstm', 'gru'] as const)(
    'should teach %s the running count to ≥ 99%% accuracy on fresh streams',
    async (kind) => {
      const before = tf.memory().numTensors;
      const model = counter(kind, 3);
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
        seed: 1,
      });
      const { x, y } = digits(512, new Rng(999));
      const predicted = tf.tidy(() => tf.argMax(model.logits(tf.tensor2d(x, [512, TIME], 'int32')), -1).dataSync());
      const acc = accuracy(predicted, y);
      model.dispose();
      expect(tf.memory().numTensors).toBe(before);
      expect(acc).toBeGreaterThanOrEqual(0.99);
    },
  );
});
