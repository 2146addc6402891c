/**
 * `pnpm bench`: Recur against tfjs-layers (same backend) and brain.js (W3), in one
 * process, on the workloads of issue 7. Prints a table and writes results/last-run.json
 * (ignored by git); with --save, results/latest.json, the tracked record of a measurement.
 * Options: --workload W1,W3  --backend cpu,wasm  --threads 1,2 (each backend at each count;
 * default: the cores available)  --quick (fewer repetitions)  --save.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cpuWith } from '@recur/backend-cpu';
import { wasmWith } from '@recur/backend-wasm';
import { type BackendPlugin, useBackend } from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';
import { brainModel } from './brain.js';
import { medianMs } from './measure.js';
import { recurModel } from './recur.js';
import { tfjsLayersModel } from './tfjs-layers.js';
import { forwardFlops, trainFlops, WORKLOADS, workloadData } from './workloads.js';

interface Record_ {
  workload: string;
  backend: string;
  implementation: 'recur' | 'tfjs-layers' | 'brain.js';
  trainMs: number;
  forwardMs: number;
  trainGflops: number;
  forwardGflops: number;
  /** Training GFLOP/s as a percentage of the backend's 1024×1024 product rate. */
  percentOfMatmul: number;
}

const { values } = parseArgs({
  options: {
    workload: { type: 'string', default: 'W1,W2,W3' },
    backend: { type: 'string', default: 'cpu,wasm' },
    threads: { type: 'string' },
    quick: { type: 'boolean', default: false },
    save: { type: 'boolean', default: false },
  },
});
const PLUGINS: Record<string, (threads?: number) => BackendPlugin> = {
  cpu: (threads) => cpuWith({ threads }),
  wasm: (threads) => wasmWith({ threads }),
};
const wanted = (values.workload as string).split(',');
const threadCounts = values.threads === undefined ? [undefined] : values.threads.split(',').map(Number);
// Each backend at each thread count, named `wasm×2` when the count is given.
const backends = (values.backend as string)
  .split(',')
  .flatMap((name) => threadCounts.map((threads) => ({ name, threads, label: threads ? `${name}×${threads}` : name })));
const budget = values.quick ? { minReps: 2, budgetMs: 1000 } : { minReps: 3, budgetMs: 4000 };

async function matmulGflops(): Promise<number> {
  const a = tf.randomNormal([1024, 1024]);
  const b = tf.randomNormal([1024, 1024]);
  const ms = await medianMs(() => tf.tidy(() => tf.matMul(a, b).dataSync()), { warmup: 1, minReps: 3, budgetMs: 2000 });
  tf.dispose([a, b]);
  return (2 * 1024 ** 3) / ms / 1e6;
}

async function measure(make: () => { train: () => unknown; forward: () => unknown; dispose: () => void }) {
  const m = make();
  try {
    const trainMs = await medianMs(m.train, budget);
    const forwardMs = await medianMs(m.forward, budget);
    return { trainMs, forwardMs };
  } finally {
    m.dispose();
  }
}

const records: Record_[] = [];
const rates: Record<string, number> = {};
for (const { name, threads, label: backendName } of backends) {
  const plugin = PLUGINS[name]?.(threads);
  if (plugin === undefined) throw new Error(`unknown backend ${name}`);
  await useBackend(plugin);
  rates[backendName] = await matmulGflops();
  console.log(
    `${backendName}: 1024×1024 matMul ${rates[backendName].toFixed(2)} GFLOP/s; fused kernels: ${plugin.capabilities().fusedKernels.length}; threads: ${plugin.capabilities().details.threads} (${plugin.capabilities().details.threadsReason})`,
  );
  for (const w of WORKLOADS.filter((x) => wanted.includes(x.id))) {
    const { x, y } = workloadData(w);
    for (const [implementation, make] of [
      ['recur', () => recurModel(w, x, y)],
      ['tfjs-layers', () => tfjsLayersModel(w, x, y)],
    ] as const) {
      const { trainMs, forwardMs } = await measure(make);
      const trainGflops = trainFlops(w) / trainMs / 1e6;
      records.push({
        workload: w.id,
        backend: backendName,
        implementation,
        trainMs,
        forwardMs,
        trainGflops,
        forwardGflops: forwardFlops(w) / forwardMs / 1e6,
        percentOfMatmul: (100 * trainGflops) / (rates[backendName] as number),
      });
      console.log(`  ${w.id} ${implementation}: train ${trainMs.toFixed(1)} ms, forward ${forwardMs.toFixed(1)} ms`);
    }
    tf.dispose([x, y]);
  }
}
const w3 = WORKLOADS.find((w) => w.id === 'W3');
if (w3 !== undefined && wanted.includes('W3')) {
  const { trainMs, forwardMs } = await measure(() => brainModel(w3));
  const trainGflops = trainFlops(w3) / trainMs / 1e6;
  records.push({
    workload: 'W3',
    backend: 'js',
    implementation: 'brain.js',
    trainMs,
    forwardMs,
    trainGflops,
    forwardGflops: forwardFlops(w3) / forwardMs / 1e6,
    percentOfMatmul: Number.NaN,
  });
  console.log(`  W3 brain.js: train ${trainMs.toFixed(1)} ms, forward ${forwardMs.toFixed(1)} ms`);
}

const peer = (r: Record_) =>
  records.find((p) => p.workload === r.workload && p.backend === r.backend && p.implementation === 'tfjs-layers');
const brainRecord = records.find((r) => r.implementation === 'brain.js');
console.log(
  '\n| workload | backend | implementation | train ms | forward ms | train GFLOP/s | % of matMul | speed-up vs tfjs-layers (train / forward) |',
);
console.log('|---|---|---|---|---|---|---|---|');
for (const r of records) {
  const p = r.implementation === 'recur' ? peer(r) : undefined;
  const ratio = p ? `${(p.trainMs / r.trainMs).toFixed(1)}× / ${(p.forwardMs / r.forwardMs).toFixed(1)}×` : '';
  const vsBrain =
    r.implementation === 'recur' && r.workload === 'W3' && brainRecord
      ? ` (${(brainRecord.trainMs / r.trainMs).toFixed(1)}× brain.js)`
      : '';
  console.log(
    `| ${r.workload} | ${r.backend} | ${r.implementation} | ${r.trainMs.toFixed(1)} | ${r.forwardMs.toFixed(1)} | ${r.trainGflops.toFixed(2)} | ${Number.isNaN(r.percentOfMatmul) ? '' : `${r.percentOfMatmul.toFixed(0)}%`} | ${ratio}${vsBrain} |`,
  );
}

const out = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  'results',
  values.save ? 'latest.json' : 'last-run.json',
);
mkdirSync(dirname(out), { recursive: true });
const payload = { date: new Date().toISOString(), node: process.version, matmulGflops: rates, records };
writeFileSync(`${out}.tmp`, `${JSON.stringify(payload, null, 2)}\n`);
renameSync(`${out}.tmp`, out);
console.log(`\nwrote ${out}`);
