import { cpu } from '@recur/backend-cpu';
import { type BackendPlugin, ctcLoss, type RecurCtcLossAttrs, runKernel, useBackend } from '@recur/core';
import { exampleSource } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { wasmUnderTest } from './wasm-under-test.js';

type Raw = { values: Float32Array | Int32Array; shape: number[]; dtype: 'float32' | 'int32' };

/** Losses and the gradient of Σ losses · w on `backend`, from the same input values. */
async function lossAndGradient(backend: BackendPlugin, raw: Record<string, Raw>, attrs: RecurCtcLossAttrs) {
  await useBackend(backend);
  return tf.tidy(() => {
    const [logProbs, labels, inputLengths, labelLengths] = ['logProbs', 'labels', 'inputLengths', 'labelLengths'].map(
      (name) => tf.tensor<tf.Rank>((raw[name] as Raw).values, (raw[name] as Raw).shape, (raw[name] as Raw).dtype),
    ) as [tf.Tensor3D, tf.Tensor2D, tf.Tensor1D, tf.Tensor1D];
    const weights = tf.linspace(-1, 1, logProbs.shape[0]);
    const loss = (x: tf.Tensor) =>
      runKernel(ctcLoss, { logProbs: x as tf.Tensor3D, labels, inputLengths, labelLengths }, attrs).losses;
    const grad = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(loss(x), weights)))(logProbs);
    return { losses: Array.from(loss(logProbs).dataSync()), grad: Array.from(grad.dataSync()) };
  });
}

describe('RecurCtcLoss on wasm', () => {
  afterAll(async () => {
    await useBackend(wasmUnderTest);
  });

  it('should equal the cpu backend bit for bit (fdlibm exp and log1p, the same order of operations)', async () => {
    for (let seed = 0; seed < 12; seed++) {
      await useBackend(cpu);
      const before = tf.memory().numTensors;
      const example = ctcLoss.example(exampleSource(seed, { batch: 3, time: 30, classes: 6, labels: 10 }));
      const raw = Object.fromEntries(
        Object.entries(example.inputs).map(([name, t]) => [
          name,
          { values: t.dataSync().slice(), shape: t.shape, dtype: t.dtype },
        ]),
      ) as Record<string, Raw>;
      tf.dispose(Object.values(example.inputs));
      expect(tf.memory().numTensors).toBe(before);
      const onCpu = await lossAndGradient(cpu, raw, example.attrs);
      const onWasm = await lossAndGradient(wasmUnderTest, raw, example.attrs);
      expect(onWasm.losses).toEqual(onCpu.losses);
      expect(onWasm.grad).toEqual(onCpu.grad);
    }
  });
});
