import { glorotUniform, Rng } from '@recur/core';
import type { SequenceBatch, TrainableModel } from '@recur/train';
import * as tf from '@tensorflow/tfjs-core';

let counter = 0;

export interface TinyRnn extends TrainableModel<SequenceBatch, { h: tf.Tensor2D }> {
  dispose(): void;
  values(): Record<string, number[]>;
}

/**
 * A minimal Elman network written with tf ops, independent of the cells package:
 * h_t = tanh(x_t W + h_{t−1} U + b), ŷ_t = h_t V, mean squared error against targets
 * [batch, time, 1]. Enough to exercise the training loop's contracts.
 */
export function tinyRnn(seed: number, inputSize = 2, units = 4): TinyRnn {
  const rng = new Rng(seed);
  const id = counter++;
  const make = (name: string, shape: number[]) => {
    const init = glorotUniform()(shape, rng);
    const v = tf.variable(init, true, `tinyRnn${id}/${name}`);
    init.dispose();
    return v;
  };
  const variables = {
    W: make('W', [inputSize, units]),
    U: make('U', [units, units]),
    b: make('b', [1, units]),
    V: make('V', [units, 1]),
  };
  return {
    variables,
    loss(batch, { state }) {
      const [b, time] = batch.inputs.shape as [number, number, number];
      let h = state?.h ?? (tf.zeros([b, units]) as tf.Tensor2D);
      const preds: tf.Tensor2D[] = [];
      for (let t = 0; t < time; t++) {
        const x = tf.reshape(tf.slice(batch.inputs, [0, t, 0], [b, 1, inputSize]), [b, inputSize]) as tf.Tensor2D;
        h = tf.tanh(tf.add(tf.add(tf.matMul(x, variables.W), tf.matMul(h, variables.U)), variables.b)) as tf.Tensor2D;
        preds.push(tf.matMul(h, variables.V));
      }
      const yhat = tf.stack(preds, 1);
      const loss = tf.mean(tf.square(tf.sub(yhat, batch.targets))) as tf.Scalar;
      return { loss, state: { h }, metrics: { mae: tf.mean(tf.abs(tf.sub(yhat, batch.targets))) as tf.Scalar } };
    },
    dispose() {
      tf.dispose(Object.values(variables));
    },
    values() {
      return Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, Array.from(v.dataSync())]));
    },
  };
}

/** A fixed synthetic dataset: the target is a running sum of the first input feature. */
export function sumData(batches: number, batchSize: number, time: number, seed = 7) {
  const rng = new Rng(seed);
  const rows = Array.from({ length: batches * batchSize }, () =>
    Array.from({ length: time * 2 }, () => rng.uniform(-1, 1)),
  );
  const make = (idx: number[], poison = false) => {
    const x = idx.flatMap((i) => rows[i] as number[]);
    const y = idx.flatMap((i) => {
      let s = 0;
      return Array.from({ length: time }, (_, t) => (s += ((rows[i] as number[])[2 * t] as number) * 0.3));
    });
    if (poison) x[0] = Number.NaN;
    return { inputs: tf.tensor3d(x, [idx.length, time, 2]), targets: tf.tensor3d(y, [idx.length, time, 1]) };
  };
  return {
    train(epochRng: Rng, _epoch: number, poisonBatch = -1) {
      const order = epochRng.shuffle(Array.from({ length: rows.length }, (_, i) => i));
      return (function* () {
        for (let k = 0; k < batches; k++)
          yield make(order.slice(k * batchSize, (k + 1) * batchSize), k === poisonBatch);
      })();
    },
    validation() {
      return [make(Array.from({ length: batchSize }, (_, i) => i))];
    },
  };
}
