/**
 * W4 (issue 13), long sequences, for the xLSTM cells: batch 16, input 64, hidden 256,
 * T = 128, 512, 2048; one training step (Adam, Dense(10) on the last output, softmax CE)
 * and one forward pass, for sLSTM (fused `RecurSlstmSequence`), mLSTM (chunkwise, chunk
 * 64) and, measured in the same run as the reference, fused GRU. Prints time, tokens per
 * second and the ratio to GRU.
 *
 *     node dist/w4-xlstm.js [--backend cpu,wasm] [--time 128,512,2048] [--quick]
 */
import { parseArgs } from 'node:util';
import { cpu } from '@recur/backend-cpu';
import { wasm } from '@recur/backend-wasm';
import { gru, mlstm, slstm } from '@recur/cells';
import { type BackendPlugin, type Cell, Rng, scan, useBackend } from '@recur/core';
import { makeOptimizer, softmaxCrossEntropy, trainStep } from '@recur/train';
import * as tf from '@tensorflow/tfjs-core';
import { medianMs } from './measure.js';

const [BATCH, INPUT, HIDDEN, CLASSES] = [16, 64, 256, 10];

const CELLS: Record<string, () => Cell> = {
  'gru (fused)': () => gru({ inputSize: INPUT, units: HIDDEN }) as Cell,
  'slstm (fused)': () => slstm({ inputSize: INPUT, units: HIDDEN, heads: 4 }) as unknown as Cell,
  'mlstm (chunkwise 64)': () => mlstm({ inputSize: INPUT, units: HIDDEN, heads: 4, chunkSize: 64 }) as unknown as Cell,
};

let id = 0;

function model(cell: Cell, x: tf.Tensor3D, y: tf.Tensor1D) {
  const prefix = `w4-${id++}`;
  const init = cell.init(new Rng(1));
  const variables: Record<string, tf.Variable> = {};
  for (const [k, t] of Object.entries(init)) variables[k] = tf.variable(t, true, `${prefix}/${k}`);
  tf.dispose(Object.values(init));
  const head = tf.tidy(() => tf.mul(tf.randomNormal([HIDDEN, CLASSES], 0, 1, 'float32', 1), 0.05));
  variables.headKernel = tf.variable(head, true, `${prefix}/headKernel`);
  head.dispose();
  const cellParams = Object.fromEntries(Object.keys(init).map((k) => [k, variables[k] as tf.Variable]));
  const logits = (xs: tf.Tensor3D) =>
    tf.matMul(
      scan(cell, cellParams, xs, { returnSequences: false }).outputs as tf.Tensor2D,
      variables.headKernel as tf.Tensor2D,
    );
  const optimizer = makeOptimizer({ kind: 'adam', learningRate: 1e-3 });
  const rng = new Rng(2);
  const trainable = { variables, loss: () => ({ loss: softmaxCrossEntropy(logits(x), y) }) };
  return {
    train: () =>
      trainStep(trainable, undefined, { training: true, rng, state: undefined }, optimizer, {
        nonFinite: 'stop',
        step: 0,
      }),
    forward: () => tf.tidy(() => logits(x)).dataSync(),
    dispose: () => {
      tf.dispose(Object.values(variables));
      optimizer.dispose();
    },
  };
}

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'cpu,wasm' },
    time: { type: 'string', default: '128,512,2048' },
    quick: { type: 'boolean', default: false },
  },
});
const PLUGINS: Record<string, BackendPlugin> = { cpu, wasm };
const budget = values.quick ? { warmup: 1, minReps: 1, maxReps: 1 } : { warmup: 1, minReps: 3, budgetMs: 4000 };

for (const name of (values.backend as string).split(',')) {
  const plugin = PLUGINS[name];
  if (plugin === undefined) throw new Error(`--backend: expected cpu or wasm, received '${name}'`);
  await useBackend(plugin);
  for (const time of (values.time as string).split(',').map(Number)) {
    const x = tf.randomNormal([BATCH, time, INPUT], 0, 1, 'float32', 3) as tf.Tensor3D;
    const y = tf.tensor1d(
      Array.from({ length: BATCH }, (_, b) => b % CLASSES),
      'int32',
    );
    const rows: { cell: string; trainMs: number; forwardMs: number }[] = [];
    for (const [label, make] of Object.entries(CELLS)) {
      const m = model(make(), x, y);
      const trainMs = await medianMs(() => tf.dispose(m.train() as unknown as tf.TensorContainer), budget);
      const forwardMs = await medianMs(m.forward, budget);
      m.dispose();
      rows.push({ cell: label, trainMs, forwardMs });
    }
    const gruRow = rows[0] as (typeof rows)[number];
    const tokens = BATCH * time;
    console.log(`\n${name}, T = ${time} (batch ${BATCH}, input ${INPUT}, hidden ${HIDDEN})`);
    for (const r of rows) {
      console.log(
        `${r.cell.padEnd(22)} train ${r.trainMs.toFixed(1).padStart(9)} ms  ${((tokens / r.trainMs) * 1000).toFixed(0).padStart(8)} tok/s  ×${(gruRow.trainMs / r.trainMs).toFixed(2)} vs GRU   ` +
          `forward ${r.forwardMs.toFixed(1).padStart(8)} ms  ${((tokens / r.forwardMs) * 1000).toFixed(0).padStart(8)} tok/s  ×${(gruRow.forwardMs / r.forwardMs).toFixed(2)} vs GRU`,
      );
    }
    tf.dispose([x, y]);
  }
}
