import { type Cell, Rng } from '@recur/core';
import { recurrentStepModel, type StepModel } from '@recur/decode';
import * as tf from '@tensorflow/tfjs-core';

interface ElmanParams {
  readonly [name: string]: tf.Tensor;
  readonly kernel: tf.Tensor2D;
  readonly recurrentKernel: tf.Tensor2D;
  readonly bias: tf.Tensor1D;
}

type ElmanCarry = { readonly h: tf.Tensor2D };

/** A minimal Elman cell, h' = tanh(x W + h U + b), y = h', written to core's `Cell` contract. */
export function tinyElman(inputSize: number, units: number): Cell<ElmanCarry, ElmanParams, { units: number }> {
  const random = (shape: [number, number] | [number], rng: Rng) =>
    tf.tensor(rng.fillNormal(new Float32Array(shape.reduce((a, b) => a * b, 1)), 0, 0.8), shape);
  return {
    kind: 'elman',
    config: { units },
    inputSize,
    outputSize: units,
    init: (rng) => ({
      kernel: random([inputSize, units], rng) as tf.Tensor2D,
      recurrentKernel: random([units, units], rng) as tf.Tensor2D,
      bias: random([units], rng) as tf.Tensor1D,
    }),
    initCarry: (batch) => ({ h: tf.zeros([batch, units]) }),
    step: (p, c, x) => {
      const h = tf.tidy(
        () => tf.tanh(tf.add(tf.add(tf.matMul(x, p.kernel), tf.matMul(c.h, p.recurrentKernel)), p.bias)) as tf.Tensor2D,
      );
      // y is the very tensor of the new carry: the adapter must cope with that aliasing.
      return { carry: { h }, y: h };
    },
  };
}

export interface TinyLanguageModel {
  /** Incremental: the carry goes from step to step. */
  readonly model: StepModel<ElmanCarry>;
  /** Naive: every call re-runs the whole prefix from a zero state, in plain tfjs ops. */
  readonly restart: StepModel<{ readonly prefixes: readonly (readonly number[])[] }>;
  readonly vocabSize: number;
  dispose(): void;
}

/** Embedding → Elman → dense softmax head with fixed random weights drawn from `seed`. */
export function tinyLanguageModel(seed: number, vocabSize = 6, embedSize = 4, units = 8): TinyLanguageModel {
  const rng = new Rng(seed);
  const cell = tinyElman(embedSize, units);
  const params = cell.init(rng);
  const table = tf.tensor2d(rng.fillNormal(new Float32Array(vocabSize * embedSize)), [vocabSize, embedSize]);
  const out = tf.tensor2d(rng.fillNormal(new Float32Array(units * vocabSize), 0, 1.5), [units, vocabSize]);
  const outBias = tf.tensor1d(rng.fillNormal(new Float32Array(vocabSize), 0, 0.5));

  const model = recurrentStepModel({
    vocabSize,
    params,
    embed: (tokens) => tf.gather(table, tokens),
    cellStep: cell.step,
    project: (y) => tf.add(tf.matMul(y, out), outBias),
    initCarry: cell.initCarry,
  });

  const fromScratch = (prefixes: readonly (readonly number[])[]) =>
    tf.tidy(() =>
      tf.concat(
        prefixes.map((prefix) => {
          let h: tf.Tensor2D = tf.zeros([1, units]);
          for (const token of prefix) {
            const x = tf.gather(table, tf.tensor1d([token], 'int32')) as tf.Tensor2D;
            h = tf.tanh(
              tf.add(tf.add(tf.matMul(x, params.kernel), tf.matMul(h, params.recurrentKernel)), params.bias),
            ) as tf.Tensor2D;
          }
          return tf.logSoftmax(tf.add(tf.matMul(h, out), outBias)) as tf.Tensor2D;
        }),
        0,
      ),
    );

  const restart: TinyLanguageModel['restart'] = {
    vocabSize,
    start: (prompts) => ({ logProbs: fromScratch(prompts), state: { prefixes: prompts.map((p) => [...p]) } }),
    step: (tokens, state) => {
      const ids = Array.isArray(tokens) ? tokens : Array.from((tokens as tf.Tensor1D).dataSync());
      const prefixes = state.prefixes.map((p, i) => [...p, ids[i] as number]);
      return { logProbs: fromScratch(prefixes), state: { prefixes } };
    },
    selectRows: (state, rows) => ({ prefixes: rows.map((r) => state.prefixes[r] as number[]) }),
    disposeState: () => {},
  };

  return {
    model,
    restart,
    vocabSize,
    dispose: () => tf.dispose([...Object.values(params), table, out, outBias]),
  };
}
