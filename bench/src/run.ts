/**
 * `pnpm bench`: Recur against tfjs-layers (same backend), brain.js (W3) and, where python3
 * has torch, PyTorch on 1 and 2 threads, in one run, on the workloads of issue 7. Prints a
 * table and writes results/last-run.json (ignored by git); with --save, results/latest.json,
 * the tracked record of a measurement.
 * Options: --workload W1,W3  --backend cpu,wasm  --threads 1,2 (each backend at each count;
 * default: the cores available)  --quick (fewer repetitions)  --no-pytorch  --save.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cpuWith } from '@recur/backend-cpu';
import { wasmWith } from '@recur/backend-wasm';
import { type BackendPlugin, useBackend } from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';
import { brainModel } from './brain.js';
import { type MeasureOptions, medianMs } from './measure.js';
import { type PytorchOutcome, runPytorch } from './pytorch.js';
import { recurModel } from './recur.js';
import { type BenchRecord, markdownTable, RECORD_FORMAT, withSpeedups } from './report.js';
import { withStockBatchMatMul } from './stock-kernels.js';
import { targetLines } from './targets.js';
import { tfjsLayersModel } from './tfjs-layers.js';
import { forwardFlops, trainFlops, WORKLOADS, type Workload, workloadData } from './workloads.js';

const { values } = parseArgs({
  options: {
    workload: { type: 'string', default: 'W1,W2,W3' },
    backend: { type: 'string', default: 'cpu,wasm' },
    threads: { type: 'string' },
    quick: { type: 'boolean', default: false },
    save: { type: 'boolean', default: false },
    'no-pytorch': { type: 'boolean', default: false },
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
const budget: MeasureOptions = values.quick
  ? { warmup: 1, warmupMs: 200, minReps: 2, maxReps: 50, budgetMs: 1000 }
  : { warmup: 1, warmupMs: 500, minReps: 3, maxReps: 100, budgetMs: 4000 };
/** PyTorch's thread counts: this machine's two cores, one and both. */
const PYTORCH_THREADS = [1, 2];

async function matmulGflops(): Promise<number> {
  const a = tf.randomNormal([1024, 1024]);
  const b = tf.randomNormal([1024, 1024]);
  // The read stays outside tidy: tidy walks a returned Float32Array key by key, which
  // took ~1.1 s for this product's 1M floats and made the rate look 10× too low.
  const product = () => {
    const c = tf.matMul(a, b);
    c.dataSync();
    c.dispose();
  };
  const ms = await medianMs(product, { warmup: 1, minReps: 3, budgetMs: 2000 });
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

// The machine is shared: other work running beside the bench slows every figure (PyTorch's
// 2-thread OpenMP most), so the run records the 1-minute load average it started and ended with.
const loadAtStart = loadavg()[0] as number;
console.log(`load average at start: ${loadAtStart.toFixed(2)}`);
const records: BenchRecord[] = [];
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
      const { trainMs, forwardMs } =
        implementation === 'recur' ? await measure(make) : await withStockBatchMatMul(name, () => measure(make));
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

let pytorch: PytorchOutcome = { status: 'skipped', note: 'PyTorch skipped: --no-pytorch' };
const chosen = WORKLOADS.filter((x) => wanted.includes(x.id));
if (!values['no-pytorch'] && chosen.length > 0) {
  pytorch = await runPytorch({ workloads: chosen, threads: PYTORCH_THREADS, budget });
}
if (pytorch.status === 'measured') {
  const { answer } = pytorch;
  console.log(`pytorch ${answer.torch} (python ${answer.python}, ${pytorch.python}), BLAS ${answer.blas}`);
  for (const r of answer.records) {
    const w = chosen.find((x) => x.id === r.workload) as Workload;
    const trainGflops = trainFlops(w) / r.trainMs / 1e6;
    records.push({
      workload: r.workload,
      backend: 'torch',
      implementation: 'pytorch',
      threads: r.threads,
      trainMs: r.trainMs,
      forwardMs: r.forwardMs,
      trainGflops,
      forwardGflops: forwardFlops(w) / r.forwardMs / 1e6,
      percentOfMatmul: (100 * trainGflops) / (answer.matmulGflops[String(r.threads)] ?? Number.NaN),
    });
  }
  for (const [n, rate] of Object.entries(answer.matmulGflops)) {
    console.log(`torch, ${n} thread(s): 1024×1024 matMul ${rate.toFixed(2)} GFLOP/s`);
  }
} else {
  console.log(pytorch.note);
}

/** The run's PyTorch outcome for the record: its rows are among `records` already. */
function pytorchSummary(outcome: PytorchOutcome) {
  if (outcome.status !== 'measured') return outcome;
  const { torch, python, blas, matmulGflops } = outcome.answer;
  return { status: outcome.status, command: outcome.python, torch, python, blas, matmulGflops };
}

const loadAtEnd = loadavg()[0] as number;
console.log(`load average at end: ${loadAtEnd.toFixed(2)}`);
const compared = withSpeedups(records);
console.log(`\n${markdownTable(compared).join('\n')}`);
const targets = targetLines(compared);
if (targets.length > 0) console.log(`\n${targets.join('\n')}`);
const cores = availableParallelism();
if (Math.max(loadAtStart, loadAtEnd) > cores) {
  console.log(
    `\nwarning: the load average (${loadAtStart.toFixed(1)} at start, ${loadAtEnd.toFixed(1)} at end) exceeded the ${cores} cores: ` +
      'other work shared them, so every figure is slower than this machine gives, 2-thread PyTorch most (OpenMP threads wait for each other)',
  );
}

const out = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  'results',
  values.save ? 'latest.json' : 'last-run.json',
);
mkdirSync(dirname(out), { recursive: true });
const payload = {
  format: RECORD_FORMAT,
  date: new Date().toISOString(),
  node: process.version,
  loadAverage: { start: loadAtStart, end: loadAtEnd },
  matmulGflops: rates,
  pytorch: pytorchSummary(pytorch),
  records: compared,
};
writeFileSync(`${out}.tmp`, `${JSON.stringify(payload, null, 2)}\n`);
renameSync(`${out}.tmp`, out);
console.log(`\nwrote ${out}`);
