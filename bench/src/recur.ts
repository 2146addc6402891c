import { gru, lstm } from '@recur/cells';
import { type Cell, Rng, scan } from '@recur/core';
import { makeOptimizer, softmaxCrossEntropy, trainStep } from '@recur/train';
import * as tf from '@tensorflow/tfjs-core';
import type { Workload } from './workloads.js';

let id = 0;

/** Recur's model for a workload: cell → last output → dense logits; a training step and a forward pass. */
export function recurModel(
  w: Workload,
  x: tf.Tensor3D,
  y: tf.Tensor1D,
): { train: () => unknown; forward: () => unknown; dispose: () => void } {
  const cell = (
    w.cell === 'lstm' ? lstm({ inputSize: w.input, units: w.hidden }) : gru({ inputSize: w.input, units: w.hidden })
  ) as Cell;
  const rng = new Rng(1);
  const prefix = `bench${id++}`;
  const params = cell.init(rng);
  const variables: Record<string, tf.Variable> = {};
  for (const [k, t] of Object.entries(params)) variables[k] = tf.variable(t, true, `${prefix}/${k}`);
  tf.dispose(Object.values(params));
  const dense = tf.tidy(() => tf.mul(tf.randomNormal([w.hidden, w.classes], 0, 1, 'float32', 1), 0.05));
  variables.headKernel = tf.variable(dense, true, `${prefix}/headKernel`);
  dense.dispose();
  const cellParams = Object.fromEntries(Object.keys(params).map((k) => [k, variables[k] as tf.Variable]));
  const logits = (xs: tf.Tensor3D) =>
    tf.matMul(
      scan(cell, cellParams, xs, { returnSequences: false, returnState: false }).outputs as tf.Tensor2D,
      variables.headKernel as tf.Tensor2D,
    );
  const model = { variables, loss: () => ({ loss: softmaxCrossEntropy(logits(x), y) }) };
  const optimizer = makeOptimizer({ kind: 'adam', learningRate: 1e-3 });
  const stepRng = new Rng(2);
  return {
    train: () =>
      trainStep(model, undefined, { training: true, rng: stepRng, state: undefined }, optimizer, {
        nonFinite: 'stop',
        step: 0,
      }),
    forward: () => tf.tidy(() => logits(x).dataSync()),
    dispose: () => {
      tf.dispose(Object.values(variables));
      optimizer.dispose();
    },
  };
}
