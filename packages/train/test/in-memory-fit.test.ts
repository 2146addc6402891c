import { Rng } from '@recur/core';
import { checkLeaks, describeBackends, expectClose } from '@recur/test-utils';
import {
  evaluate,
  type FitOptions,
  fit,
  meanSquaredError,
  type SequenceBatch,
  type TrainableModel,
} from '@recur/train';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';

const ROWS = 10;

/** y = x·w on 3 features: a model whose loss is a known function of the batch. */
function linear() {
  const zeros = tf.zeros([3, 1]);
  const w = tf.variable(zeros, true);
  zeros.dispose();
  const model: TrainableModel<SequenceBatch> & { dispose(): void } = {
    variables: { w },
    loss: (batch) => {
      const predictions = tf.matMul(batch.inputs as tf.Tensor2D, w);
      return {
        loss: meanSquaredError(predictions, batch.targets),
        metrics: { rows: tf.scalar(batch.inputs.shape[0]) },
      };
    },
    dispose: () => w.dispose(),
  };
  return model;
}

function table() {
  const rng = new Rng(5);
  const x = Array.from({ length: ROWS }, () => [rng.normal(), rng.normal(), rng.normal()]);
  const y = x.map(([a, b, c]) => [2 * (a as number) - (b as number) + 0.5 * (c as number)]);
  return { x, y };
}

const options: FitOptions = { epochs: 3, optimizer: { kind: 'sgd', learningRate: 0.1 }, seed: 4 };

describeBackends('fit on in-memory data', () => {
  checkLeaks();

  it('should train exactly as on the same batches from an iterator, without disposing the data', async () => {
    const { x, y } = table();
    const inputs = tf.tensor2d(x);
    const targets = tf.tensor2d(y);
    const a = linear();
    const inMemory = await fit(a, { inputs, targets }, { ...options, batchSize: 4, shuffle: false });
    const b = linear();
    const batches = {
      *train() {
        for (let start = 0; start < ROWS; start += 4) {
          const end = Math.min(start + 4, ROWS);
          yield { inputs: tf.tensor2d(x.slice(start, end)), targets: tf.tensor2d(y.slice(start, end)) };
        }
      },
    };
    const iterated = await fit(b, batches, options);
    expect(inMemory.losses).toEqual(iterated.losses);
    expect(inMemory.steps).toBe(9);
    expect(inputs.isDisposed || targets.isDisposed).toBe(false);
    expect((a.variables.w as tf.Variable).dataSync()).toEqual((b.variables.w as tf.Variable).dataSync());
    tf.dispose([inputs, targets]);
    a.dispose();
    b.dispose();
  });

  it('should take arrays, shuffle each epoch by the seed, and give the same run for the same seed', async () => {
    const { x, y } = table();
    const run = async (seed: number, shuffle?: boolean) => {
      const model = linear();
      const result = await fit(
        model,
        { inputs: x, targets: y },
        { ...options, seed, batchSize: 3, ...(shuffle === undefined ? {} : { shuffle }) },
      );
      model.dispose();
      return result.losses;
    };
    const first = await run(1);
    expect(await run(1)).toEqual(first);
    expect(await run(2)).not.toEqual(first);
    expect(await run(1, false)).not.toEqual(first);
  });

  it('should hold out the last examples for validation, as tfjs-layers does', async () => {
    const { x, y } = table();
    const model = linear();
    const result = await fit(model, { inputs: x, targets: y }, { ...options, validationSplit: 0.3, batchSize: 2 });
    // 7 training rows in batches of 2 (the last one short): 4 steps per epoch.
    expect(result.steps).toBe(12);
    const heldOut = await evaluate(model, { inputs: x.slice(7), targets: y.slice(7) }, { batchSize: 2 });
    expectClose(result.history[2]?.validation.val_loss as number, heldOut.loss as number, { atol: 1e-6 });
    expect(result.history[2]?.validation.val_rows).toBe(1.5);
    model.dispose();
  });

  it('should refuse rows that disagree, batching options with an iterator, and bad batching values', async () => {
    const model = linear();
    const { x, y } = table();
    await expect(fit(model, { inputs: x, targets: y.slice(1) }, options)).rejects.toThrow(
      /data\.targets: expected 10 rows \(as data\.inputs\)/,
    );
    await expect(fit(model, { train: () => [] }, { ...options, batchSize: 4 })).rejects.toThrow(
      /batchSize: expected no value: it applies to in-memory data/,
    );
    await expect(fit(model, { inputs: x, targets: y }, { ...options, batchSize: 0 })).rejects.toThrow(
      /batchSize: expected a positive integer/,
    );
    await expect(fit(model, { inputs: x, targets: y }, { ...options, validationSplit: 1 })).rejects.toThrow(
      /validationSplit: expected a number in \[0, 1\)/,
    );
    await expect(fit(model, { inputs: x, targets: y }, { ...options, validationSplit: 1e-17 })).rejects.toThrow(
      /validationSplit: expected a fraction that holds out at least one/,
    );
    await expect(fit(model, { inputs: [[1, 2], [3]], targets: y }, options)).rejects.toThrow(
      /data\.inputs\[1\]: expected an array of 2 entries \(a rectangular array of shape \[2, 2\]\)/,
    );
    model.dispose();
  });
});

describeBackends('evaluate', () => {
  checkLeaks();

  it('should give the mean loss over the batches of an iterator, disposing them', async () => {
    const model = linear();
    const batch = { inputs: tf.ones([2, 3]), targets: tf.fill([2, 1], 2) };
    expect(await evaluate(model, [batch])).toEqual({ loss: 4, rows: 2 });
    expect(batch.inputs.isDisposed).toBe(true);
    await expect(evaluate(model, 3 as never)).rejects.toThrow(/data: expected in-memory/);
    model.dispose();
  });
});
