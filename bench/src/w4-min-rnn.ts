/**
 * W4, long sequences, for minGRU and minLSTM (issue 13): batch 16, input 64, hidden 256,
 * T = 128, 512, 2048; one training step (Adam, Dense(10) on the last output, softmax
 * cross-entropy) and one forward pass each, against Recur's fused GRU in the same run.
 * Prints time, tokens per second and the ratio to fused GRU, for both sequence forms
 * (`parallel: 'linear'`, the sequential fused scan; `'log'`, the paper's log-space scan).
 *
 * `node dist/w4-min-rnn.js [--backend cpu,wasm] [--time 128,512,2048] [--quick]`
 */
import { parseArgs } from 'node:util';
import { cpu } from '@recur/backend-cpu';
import { wasm } from '@recur/backend-wasm';
import { gru, minGru, minLstm } from '@recur/cells';
import { type BackendPlugin, type Cell, Rng, useBackend } from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';
import { medianMs } from './measure.js';
import { type BenchModel, cellModel } from './recur.js';

const BATCH = 16;
const INPUT = 64;
const HIDDEN = 256;
const CLASSES = 10;

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'cpu,wasm' },
    time: { type: 'string', default: '128,512,2048' },
    quick: { type: 'boolean', default: false },
  },
});
const PLUGINS: Record<string, BackendPlugin> = { cpu, wasm };
const budget = values.quick ? { minReps: 1, maxReps: 2, budgetMs: 500 } : { minReps: 3, budgetMs: 4000 };
const times = (values.time as string).split(',').map(Number);

const CELLS: readonly (readonly [string, () => Cell])[] = [
  ['gru (fused)', () => gru({ inputSize: INPUT, units: HIDDEN }) as Cell],
  ['minGru linear', () => minGru({ inputSize: INPUT, units: HIDDEN }) as unknown as Cell],
  ['minGru log', () => minGru({ inputSize: INPUT, units: HIDDEN, parallel: 'log' }) as unknown as Cell],
  ['minLstm linear', () => minLstm({ inputSize: INPUT, units: HIDDEN }) as unknown as Cell],
  ['minLstm log', () => minLstm({ inputSize: INPUT, units: HIDDEN, parallel: 'log' }) as unknown as Cell],
];

async function measure(make: () => BenchModel) {
  const m = make();
  try {
    return { trainMs: await medianMs(m.train, budget), forwardMs: await medianMs(m.forward, budget) };
  } finally {
    m.dispose();
  }
}

console.log(
  '| backend | T | model | train ms | forward ms | train tokens/s | train vs fused GRU | forward vs fused GRU |',
);
console.log('|---|---|---|---|---|---|---|---|');
for (const backendName of (values.backend as string).split(',')) {
  const plugin = PLUGINS[backendName];
  if (plugin === undefined) throw new Error(`unknown backend ${backendName}`);
  await useBackend(plugin);
  for (const time of times) {
    const rng = new Rng(7);
    const x = tf.tensor3d(rng.fillUniform(new Float32Array(BATCH * time * INPUT), -1, 1), [BATCH, time, INPUT]);
    const y = tf.tensor1d(
      Array.from({ length: BATCH }, () => rng.int(CLASSES)),
      'int32',
    );
    let base: { trainMs: number; forwardMs: number } | undefined;
    for (const [name, make] of CELLS) {
      const r = await measure(() => cellModel(make(), CLASSES, x, y));
      base ??= r;
      const tokens = (BATCH * time) / (r.trainMs / 1000);
      console.log(
        `| ${backendName} | ${time} | ${name} | ${r.trainMs.toFixed(1)} | ${r.forwardMs.toFixed(1)} | ${tokens.toFixed(0)} | ${(base.trainMs / r.trainMs).toFixed(2)}× | ${(base.forwardMs / r.forwardMs).toFixed(2)}× |`,
      );
    }
    tf.dispose([x, y]);
  }
}
