/**
 * Where one W4 training step's time goes (issue 13): `tf.profile` of a step after a
 * warm-up, kernels grouped by name and shapes, the largest first, with the CPU time of
 * each kernel (the process' user + system time around it, threads included: the machine is
 * shared, and wall time there measures the wait for a core). Run it `nice`.
 *
 *     node dist/w4-profile.js [--backend wasm] [--time 2048] [--model minGru] [--top 25] [--threads n] [--clock cpu|wall]
 *         [--sort ms|bytes]
 */
import { parseArgs } from 'node:util';
import { cpu } from '@recur/backend-cpu';
import { wasmWith } from '@recur/backend-wasm';
import { gru, minGru, minLstm, mlstm, rwkv } from '@recur/cells';
import { type BackendPlugin, type Cell, Rng, useBackend } from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';
import { cellModel } from './recur.js';

const [BATCH, INPUT, HIDDEN, CLASSES] = [16, 64, 256, 10];
const shape = { inputSize: INPUT, units: HIDDEN };
const CELLS: Readonly<Record<string, () => Cell>> = {
  gru: () => gru(shape) as Cell,
  minGru: () => minGru(shape) as Cell,
  minLstm: () => minLstm(shape) as Cell,
  mlstm: () => mlstm({ ...shape, heads: 4, chunkSize: 64 }) as Cell,
  rwkv: () => rwkv(shape) as Cell,
};

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'wasm' },
    time: { type: 'string', default: '2048' },
    model: { type: 'string', default: 'minGru' },
    top: { type: 'string', default: '25' },
    sort: { type: 'string', default: 'ms' },
    threads: { type: 'string' },
    clock: { type: 'string', default: 'cpu' },
  },
});
const make = CELLS[values.model as string];
const threads = values.threads === undefined ? undefined : Number(values.threads);
const plugin = ({ cpu, wasm: wasmWith({ threads }) } as Record<string, BackendPlugin>)[values.backend as string];
if (make === undefined) throw new Error(`--model: expected one of ${Object.keys(CELLS)}, received '${values.model}'`);
if (plugin === undefined) throw new Error(`--backend: expected cpu or wasm, received '${values.backend}'`);
await useBackend(plugin);

const time = Number(values.time);
const rng = new Rng(7);
const x = tf.tensor3d(rng.fillUniform(new Float32Array(BATCH * time * INPUT), -1, 1), [BATCH, time, INPUT]);
const y = tf.tensor1d(
  Array.from({ length: BATCH }, () => rng.int(CLASSES)),
  'int32',
);
const model = cellModel(make(), CLASSES, x, y);
model.train();
// Each kernel's CPU time (all threads of the process) by default: the machine is shared.
const timed = tf.backend() as unknown as {
  time(f: () => void): Promise<{ kernelMs: number }>;
  timerAvailable(): boolean;
};
timed.timerAvailable = () => true;
timed.time = async (f) => {
  const [begin, wall] = [process.cpuUsage(), performance.now()];
  f();
  const spent = process.cpuUsage(begin);
  return { kernelMs: values.clock === 'wall' ? performance.now() - wall : (spent.user + spent.system) / 1000 };
};
const start = process.cpuUsage();
const info = await tf.profile(() => {
  model.train();
});
const used = process.cpuUsage(start);

const groups = new Map<string, { ms: number; calls: number; bytes: number }>();
let total = 0;
for (const k of info.kernels) {
  const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
  total += ms;
  if (k.name.startsWith('unnamed')) continue; // a customGrad scope: its kernels are listed on their own
  const key = `${k.name} ${k.inputShapes.map((s) => `[${s?.join(',') ?? ''}]`).join(' ')}`;
  const g = groups.get(key) ?? { ms: 0, calls: 0, bytes: 0 };
  groups.set(key, { ms: g.ms + ms, calls: g.calls + 1, bytes: g.bytes + Math.max(0, k.bytesAdded) });
}
console.log(
  `${values.model}, ${values.backend}, T = ${time}: one training step, ${((used.user + used.system) / 1000).toFixed(0)} ms of CPU under the profiler, ${total.toFixed(0)} ms in ${info.kernels.length} kernels; peak ${(info.peakBytes / 2 ** 20).toFixed(0)} MiB of tensors (${(info.newBytes / 2 ** 20).toFixed(0)} MiB kept)\n`,
);
console.log('| kernel and input shapes | calls | ms | share | MiB made |\n|---|---|---|---|---|');
const by = values.sort === 'bytes' ? 'bytes' : 'ms';
const sorted = [...groups.entries()].sort((a, b) => b[1][by] - a[1][by]).slice(0, Number(values.top));
for (const [key, g] of sorted) {
  console.log(
    `| ${key} | ${g.calls} | ${g.ms.toFixed(1)} | ${((100 * g.ms) / total).toFixed(1)}% | ${(g.bytes / 2 ** 20).toFixed(0)} |`,
  );
}
model.dispose();
tf.dispose([x, y]);
