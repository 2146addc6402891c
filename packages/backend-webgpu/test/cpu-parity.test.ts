/**
 * Parity with the cpu backend: the same seeds give the same numbers (within float32
 * tolerance) on every other backend of the matrix. In Node this project runs it on webgpu
 * (Dawn); the browser project runs it on wasm, webgl and webgpu in Chromium.
 */
import { cpu } from '@recur/backend-cpu';
import { type AnyCell, cellFromConfig } from '@recur/cells';
import { type BackendPlugin, type Params, Rng, scan, useBackend } from '@recur/core';
import { generate, recurrentStepModel } from '@recur/decode';
import { dense, embedding, recurrent, stacked } from '@recur/layers';
import { backendMatrix, checkLeaks, expectClose } from '@recur/test-utils';
import { fit, type SequenceBatch, softmaxCrossEntropy, type TrainableModel } from '@recur/train';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';

const TOLERANCE = { rtol: 2e-3, atol: 2e-4 };

/** Runs `fn` on `backend`, asserting by name that it is the one running. */
async function on<T>(backend: BackendPlugin, fn: () => Promise<T>): Promise<T> {
  await useBackend(backend);
  expect(tf.getBackend()).toBe(backend.name);
  return fn();
}

async function readAll(tensors: tf.Tensor[]): Promise<number[][]> {
  const values = await Promise.all(tensors.map((t) => t.data()));
  tf.dispose(tensors);
  return values.map((v) => Array.from(v));
}

/** Forward outputs, final carry and the gradients of a weighted sum with respect to every param and the input. */
async function scanAndGradients(kind: 'lstm' | 'gru' | 'elman'): Promise<number[][]> {
  const rng = new Rng(11);
  const cell = cellFromConfig({ kind, inputSize: 4, units: 6 } as Parameters<typeof cellFromConfig>[0]) as AnyCell;
  const params = cell.init(rng) as Params;
  const names = Object.keys(params);
  const xs = tf.tensor3d(
    Float32Array.from({ length: 3 * 5 * 4 }, () => rng.uniform(-1, 1)),
    [3, 5, 4],
  );
  const weights = tf.tensor3d(
    Float32Array.from({ length: 3 * 5 * 6 }, () => rng.uniform(-1, 1)),
    [3, 5, 6],
  );
  const options = { seqLengths: [5, 3, 1] };
  const { outputs, state: carry } = scan(cell as never, params, xs, options) as { outputs: tf.Tensor; state: Params };
  const loss = (x: tf.Tensor, ...values: tf.Tensor[]) => {
    const p = Object.fromEntries(names.map((n, i) => [n, values[i] as tf.Tensor])) as Params;
    const r = scan(cell as never, p, x as tf.Tensor3D, { ...options, returnState: false });
    return tf.sum(tf.mul(r.outputs, weights)) as tf.Scalar;
  };
  const grads = tf.grads(loss)([xs, ...names.map((n) => params[n] as tf.Tensor)]);
  const carried = Object.keys(carry).map((k) => carry[k] as tf.Tensor);
  const result = await readAll([outputs, ...carried, ...grads]);
  tf.dispose([xs, weights, ...Object.values(params)]);
  return result;
}

/** Five Adam steps of a character model (embedding, LSTM, dense, softmax cross-entropy). */
async function trainingLosses(): Promise<number[]> {
  const vocab = 7;
  const model = stacked([
    embedding({ vocabSize: vocab, dim: 5 }),
    recurrent(cellFromConfig({ kind: 'lstm', inputSize: 5, units: 8 }), { returnSequences: true }),
    dense({ inputSize: 8, units: vocab }),
  ]);
  const init = model.init(new Rng(3));
  const leaves: tf.Tensor[] = [];
  const collect = (node: unknown): unknown => {
    if (node instanceof tf.Tensor) {
      const v = tf.variable(node, true);
      leaves.push(node);
      return v;
    }
    if (Array.isArray(node)) return node.map(collect);
    if (node !== null && typeof node === 'object')
      return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, collect(v)]));
    return node;
  };
  const params = collect(init) as typeof init;
  tf.dispose(leaves);
  const variables: Record<string, tf.Variable> = {};
  const name = (node: unknown, path: string): void => {
    if (node instanceof tf.Variable) variables[path] = node;
    else if (node !== null && typeof node === 'object')
      for (const [k, v] of Object.entries(node)) name(v, path === '' ? k : `${path}/${k}`);
  };
  name(params, '');
  const trainable: TrainableModel<SequenceBatch> = {
    variables,
    loss(batch) {
      const logits = model.apply(params, batch.inputs as tf.Tensor2D).output as tf.Tensor3D;
      return { loss: softmaxCrossEntropy(logits, batch.targets) };
    },
  };
  const text = [1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6, 1, 2, 3];
  const result = await fit(
    trainable,
    {
      *train() {
        for (let s = 0; s < 5; s++) {
          const rows = [0, 3, 6].map((o) => text.slice(o + (s % 3), o + (s % 3) + 9));
          yield {
            inputs: tf.tensor2d(
              rows.map((r) => r.slice(0, 8)),
              [3, 8],
              'int32',
            ),
            targets: tf.tensor2d(
              rows.map((r) => r.slice(1, 9)),
              [3, 8],
              'int32',
            ),
          };
        }
      },
    },
    { optimizer: { kind: 'adam', learningRate: 0.05 }, seed: 1 },
  );
  tf.dispose(Object.values(variables));
  return result.losses;
}

/** Greedy decoding of a random GRU language model, with the log-probabilities of the first step. */
async function greedyTokens(): Promise<{ tokens: number[]; first: number[] }> {
  const rng = new Rng(5);
  const vocab = 9;
  const cell = cellFromConfig({ kind: 'gru', inputSize: 4, units: 8 });
  const params = cell.init(rng);
  const table = tf.tensor2d(
    Float32Array.from({ length: vocab * 4 }, () => rng.normal() * 2),
    [vocab, 4],
  );
  const head = tf.tensor2d(
    Float32Array.from({ length: 8 * vocab }, () => rng.normal() * 3),
    [8, vocab],
  );
  const model = recurrentStepModel({
    vocabSize: vocab,
    params,
    embed: (tokens) => tf.gather(table, tokens),
    cellStep: cell.step,
    project: (y) => tf.matMul(y, head),
    initCarry: cell.initCarry,
  });
  const start = model.start([[1, 2, 3]]);
  const first = Array.from(await start.logProbs.data());
  start.logProbs.dispose();
  model.disposeState(start.state);
  const tokens = generate(model, [1, 2, 3], { maxLength: 12 });
  tf.dispose([table, head, ...Object.values(params)]);
  return { tokens, first };
}

const others = backendMatrix().filter((b) => b.name !== 'cpu');

describe.each(others.map((b) => [b.name, b] as const))('parity with cpu [%s]', (_name, backend) => {
  // A backend must run before checkLeaks counts tensors: in a browser, counting with none
  // would start tfjs' favourite (webgpu) behind our back.
  beforeAll(async () => {
    await useBackend(backend);
  });
  checkLeaks();

  describe.each(['lstm', 'gru', 'elman'] as const)('scan over %s', (kind) => {
    it('should give the outputs, final carry and gradients that cpu gives', async () => {
      const expected = await on(cpu, () => scanAndGradients(kind));
      const actual = await on(backend, () => scanAndGradients(kind));
      expect(actual.length).toBe(expected.length);
      actual.forEach((values, i) => {
        expectClose(values, expected[i] as number[], TOLERANCE);
      });
    });
  });

  describe('fit', () => {
    it('should follow the loss curve cpu follows, and the loss should fall', async () => {
      const expected = await on(cpu, trainingLosses);
      const actual = await on(backend, trainingLosses);
      expectClose(actual, expected, { rtol: 5e-3, atol: 5e-4 });
      expect(actual[4] as number).toBeLessThan(actual[0] as number);
    });
  });

  describe('greedy decoding', () => {
    it('should choose the tokens cpu chooses', async () => {
      const expected = await on(cpu, greedyTokens);
      const actual = await on(backend, greedyTokens);
      expectClose(actual.first, expected.first, TOLERANCE);
      expect(actual.tokens).toEqual(expected.tokens);
    });
  });
});
