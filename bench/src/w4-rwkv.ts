/**
 * W4 (issue 13), RWKV's part: long sequences, batch 16, input 64, hidden 256,
 * T = 128, 512 and 2048. One training step (Adam, softmax CE of a Dense(10) head on the
 * last output) and one forward pass of a one-block RWKV-4 layer (`rwkv` cell, whole-
 * sequence form through the fused WKV kernel), against the fused GRU on the same shapes.
 * Prints time, tokens per second and the ratio to GRU per backend.
 *
 * `node dist/w4-rwkv.js [--backend cpu,wasm] [--time 128,512,2048] [--quick]`
 */
import { parseArgs } from 'node:util';
import { cpu } from '@recur/backend-cpu';
import { wasm } from '@recur/backend-wasm';
import { gru, rwkv } from '@recur/cells';
import { type BackendPlugin, type Cell, useBackend } from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';
import { medianMs } from './measure.js';
import { cellModel } from './recur.js';

const [BATCH, INPUT, HIDDEN, CLASSES] = [16, 64, 256, 10];
const PLUGINS: Record<string, BackendPlugin> = { cpu, wasm };

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'cpu,wasm' },
    time: { type: 'string', default: '128,512,2048' },
    quick: { type: 'boolean', default: false },
  },
});

const CELLS: Record<string, () => Cell> = {
  gru: () => gru({ inputSize: INPUT, units: HIDDEN }) as Cell,
  rwkv: () => rwkv({ inputSize: INPUT, units: HIDDEN }) as unknown as Cell,
};

const timing = values.quick
  ? { warmup: 1, minReps: 1, maxReps: 2, budgetMs: 500 }
  : { warmup: 1, minReps: 3, maxReps: 10 };
console.log(
  '| backend | T | model | train ms | forward ms | train tokens/s | train ratio to GRU | forward ratio to GRU |',
);
console.log('|---|---|---|---|---|---|---|---|');
for (const backendName of (values.backend as string).split(',')) {
  const plugin = PLUGINS[backendName];
  if (plugin === undefined) throw new Error(`unknown backend ${backendName}`);
  await useBackend(plugin);
  for (const time of (values.time as string).split(',').map(Number)) {
    const x = tf.randomNormal([BATCH, time, INPUT], 0, 1, 'float32', 3) as tf.Tensor3D;
    const y = tf.tensor1d(
      Array.from({ length: BATCH }, (_, i) => i % CLASSES),
      'int32',
    );
    const results: Record<string, { train: number; forward: number }> = {};
    for (const [name, make] of Object.entries(CELLS)) {
      const m = cellModel(make(), CLASSES, x, y);
      results[name] = { train: await medianMs(m.train, timing), forward: await medianMs(m.forward, timing) };
      m.dispose();
      const r = results[name];
      const g = results.gru ?? r;
      const tokens = (BATCH * time * 1000) / r.train;
      console.log(
        `| ${backendName} | ${time} | ${name} | ${r.train.toFixed(1)} | ${r.forward.toFixed(1)} | ${tokens.toFixed(0)} | ${(g.train / r.train).toFixed(2)}× | ${(g.forward / r.forward).toFixed(2)}× |`,
      );
    }
    tf.dispose([x, y]);
  }
}
