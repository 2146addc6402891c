/**
 * W4 (issue 13), long sequences: batch 16, input 64, hidden 256, T = 128, 512 and 2048.
 * One training step (Adam, softmax cross-entropy of a Dense(10) head on the last output)
 * and one forward pass for every recurrent family Recur has, each through its fastest
 * sequence form: LSTM and GRU (fused kernels), minGRU and minLSTM (parallel, through the
 * fused `RecurMinRnnScan`), sLSTM (fused), mLSTM (chunkwise, chunk 64) and RWKV-4 (fused
 * WKV). Prints one table of time, tokens per second and the ratio to the fused GRU of the
 * same backend and T (measured in the same run), then how each model's cost per token
 * grows from the shortest T to the longest.
 *
 *     node dist/w4.js [--backend cpu,wasm] [--time 128,512,2048] [--models lstm,gru,...] [--quick]
 *
 * `--models` may add `minGruLog` and `minLstmLog`, the paper's log-space scan.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { cpu } from '@recur/backend-cpu';
import { wasm } from '@recur/backend-wasm';
import { gru, lstm, minGru, minLstm, mlstm, rwkv, slstm } from '@recur/cells';
import { type BackendPlugin, type Cell, Rng, useBackend } from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';
import { cellModel } from './recur.js';

const [BATCH, INPUT, HIDDEN, CLASSES] = [16, 64, 256, 10];
const shape = { inputSize: INPUT, units: HIDDEN };

/** Every model W4 names, by the label the table prints; GRU first, the ratios' base. */
const MODELS: Readonly<Record<string, { label: string; make: () => unknown }>> = {
  gru: { label: 'GRU (fused)', make: () => gru(shape) },
  gruNormal: { label: 'GRU (fused), z bias 5: no subnormals', make: gruWithoutSubnormals },
  lstm: { label: 'LSTM (fused)', make: () => lstm(shape) },
  minGru: { label: 'minGRU (parallel)', make: () => minGru(shape) },
  minLstm: { label: 'minLSTM (parallel)', make: () => minLstm(shape) },
  slstm: { label: 'sLSTM (fused, 4 heads)', make: () => slstm({ ...shape, heads: 4 }) },
  mlstm: { label: 'mLSTM (chunkwise 64, 4 heads)', make: () => mlstm({ ...shape, heads: 4, chunkSize: 64 }) },
  rwkv: { label: 'RWKV-4 (one block)', make: () => rwkv(shape) },
  minGruLog: { label: 'minGRU (log-space scan)', make: () => minGru({ ...shape, parallel: 'log' }) },
  minLstmLog: { label: 'minLSTM (log-space scan)', make: () => minLstm({ ...shape, parallel: 'log' }) },
};
const PLUGINS: Record<string, BackendPlugin> = { cpu, wasm };

/**
 * The same GRU with its update gate's input bias at 5 (z ≈ 0.99, h_t ≈ h_{t−1}), so that the
 * gradient from the last step no longer decays by ~½ a step. With zero biases it passes
 * through the subnormal range within ~200 steps, and the fused backward computes on
 * subnormals from there on, which x86 does many times slower (T = 512 on wasm: 3.4 s of
 * CPU against 0.44 s here). Same shapes and work: this row is the kernel's cost without them.
 */
function gruWithoutSubnormals(): Cell {
  const cell = gru(shape);
  const init = (rng: Rng) =>
    tf.tidy(() => {
      const p = cell.init(rng);
      const z = tf.concat([tf.fill([1, HIDDEN], 5), tf.zeros([1, 2 * HIDDEN])], 1);
      return { ...p, bias: tf.add(p.bias as tf.Tensor2D, tf.concat([z, tf.zeros([1, 3 * HIDDEN])], 0)) };
    });
  return { ...cell, init } as unknown as Cell;
}

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'cpu,wasm' },
    time: { type: 'string', default: '128,512,2048' },
    models: { type: 'string', default: 'gru,gruNormal,minGru,minLstm,lstm,slstm,mlstm,rwkv' },
    quick: { type: 'boolean', default: false },
  },
});
const list = (s: string | undefined) => (s as string).split(',').filter((x) => x !== '');
const times = list(values.time).map(Number);
const models = ['gru', ...list(values.models).filter((m) => m !== 'gru')];
for (const m of models) {
  if (MODELS[m] === undefined) throw new Error(`--models: expected names from ${Object.keys(MODELS)}, received '${m}'`);
}

/** Milliseconds of CPU time (user + system) this process spends in `fn`. */
function cpuMs(fn: () => unknown): number {
  const start = process.cpuUsage();
  fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

/**
 * The process' CPU time, not wall time: the machine is shared (load averages of 10 to 20 on
 * its 2 cores while this ran), and wall time there measures the wait for a core. tfjs' cpu
 * and wasm backends compute on the main thread in Node, so unloaded the two are equal.
 * Median of up to five calls after one warm-up call (three at most past 4 s of calls); a
 * warm-up call over 8 s is the measurement itself, since the cpu backend's long sequences
 * take minutes a step and warming up (JIT, tfjs' kernel setup) is a small part of such a call.
 */
function timeMs(fn: () => unknown): number {
  const first = cpuMs(fn);
  if (values.quick || first > 8000) return first;
  const times: number[] = [];
  while (times.length < 5 && (times.length < 3 || times.reduce((a, b) => a + b, 0) < 4000)) times.push(cpuMs(fn));
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)] as number;
}

interface Row {
  readonly backend: string;
  readonly time: number;
  readonly model: string;
  readonly trainMs: number;
  readonly forwardMs: number;
}

const rows: Row[] = [];
const started = performance.now();
console.log(
  `load average at start: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(', ')} (2 cores, shared)\n`,
);
console.log(
  '| backend | T | model | train ms (CPU) | train tokens/s | train vs GRU | forward ms (CPU) | forward tokens/s | forward vs GRU |',
);
console.log('|---|---|---|---|---|---|---|---|---|');
for (const backend of list(values.backend)) {
  const plugin = PLUGINS[backend];
  if (plugin === undefined) throw new Error(`--backend: expected cpu or wasm, received '${backend}'`);
  await useBackend(plugin);
  for (const time of times) {
    const rng = new Rng(7);
    const x = tf.tensor3d(rng.fillUniform(new Float32Array(BATCH * time * INPUT), -1, 1), [BATCH, time, INPUT]);
    const y = tf.tensor1d(
      Array.from({ length: BATCH }, () => rng.int(CLASSES)),
      'int32',
    );
    for (const name of models) {
      const spec = MODELS[name] as (typeof MODELS)[string];
      const m = cellModel(spec.make() as Cell, CLASSES, x, y);
      let row: Row;
      try {
        row = { backend, time, model: spec.label, trainMs: timeMs(m.train), forwardMs: timeMs(m.forward) };
      } catch (error) {
        // A step that cannot run (RWKV at T = 2048 on wasm: its live tensors pass the heap's
        // 4 GiB) gets a row saying why, and the run goes on.
        console.log(`| ${backend} | ${time} | ${spec.label} | failed: ${(error as Error).message} | | | | | |`);
        continue;
      } finally {
        m.dispose();
      }
      rows.push(row);
      const base = rows.find((r) => r.backend === backend && r.time === time) as Row;
      const tokens = (ms: number) => ((BATCH * time * 1000) / ms).toFixed(0);
      console.log(
        `| ${backend} | ${time} | ${row.model} | ${row.trainMs.toFixed(1)} | ${tokens(row.trainMs)} | ${(base.trainMs / row.trainMs).toFixed(2)}× | ${row.forwardMs.toFixed(1)} | ${tokens(row.forwardMs)} | ${(base.forwardMs / row.forwardMs).toFixed(2)}× |`,
      );
    }
    tf.dispose([x, y]);
  }
}

const [shortest, longest] = [Math.min(...times), Math.max(...times)];
if (shortest !== longest) {
  console.log(`\nCost per token, T = ${shortest} → ${longest} (1.00× is flat)\n`);
  console.log(
    `| backend | model | train µs/token, T = ${shortest} | T = ${longest} | growth | forward µs/token, T = ${shortest} | T = ${longest} | growth |`,
  );
  console.log('|---|---|---|---|---|---|---|---|');
  const perToken = (r: Row, key: 'trainMs' | 'forwardMs') => (r[key] * 1000) / (BATCH * r.time);
  for (const short of rows.filter((r) => r.time === shortest)) {
    const long = rows.find((r) => r.time === longest && r.backend === short.backend && r.model === short.model);
    if (long === undefined) continue;
    const cells = (['trainMs', 'forwardMs'] as const).map((key) => {
      const [a, b] = [perToken(short, key), perToken(long, key)];
      return `${a.toFixed(2)} | ${b.toFixed(2)} | ${(b / a).toFixed(2)}×`;
    });
    console.log(`| ${short.backend} | ${short.model} | ${cells.join(' | ')} |`);
  }
}
console.log(
  `\nload average at end: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(', ')}; wall time ${((performance.now() - started) / 60000).toFixed(1)} min`,
);
