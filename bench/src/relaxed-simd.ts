/**
 * Recur's wasm kernels, plain WebAssembly SIMD against their relaxed-SIMD build (fused
 * multiply-add in the products), on W1 and W2 in one process: the two builds take turns,
 * round after round, so both see the same load on a shared machine, and each figure is
 * the median over the rounds.
 *
 * Node 20 validates relaxed SIMD only with a flag; Node 21+ without one:
 * `node --experimental-wasm-relaxed-simd dist/relaxed-simd.js [--workload W1,W2] [--rounds 7] [--clock cpu|wall]`
 */
import { parseArgs } from 'node:util';
import { wasmWith } from '@recur/backend-wasm';
import { useBackend } from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';
import { cpuClockMs, medianMs } from './measure.js';
import { type BenchModel, recurModel } from './recur.js';
import { forwardFlops, trainFlops, WORKLOADS, workloadData } from './workloads.js';

const { values } = parseArgs({
  options: {
    workload: { type: 'string', default: 'W1,W2' },
    rounds: { type: 'string', default: '7' },
    clock: { type: 'string', default: 'cpu' },
  },
});
if (values.clock !== 'cpu' && values.clock !== 'wall')
  throw new Error(`--clock: expected cpu or wall, received ${values.clock}`);
// The kernels run on the calling thread, so this process's CPU time is their time, and it
// is what stays comparable when other work shares the cores.
const clock = values.clock === 'cpu' ? cpuClockMs : () => performance.now();
const timing = { warmup: 1, minReps: 3, maxReps: 3, clock };
const rounds = Number(values.rounds);
if (!Number.isInteger(rounds) || rounds < 1)
  throw new Error(`--rounds: expected a positive integer, received ${values.rounds}`);

const BUILDS = [
  { build: 'simd', plugin: wasmWith({ relaxedSimd: false }) },
  { build: 'relaxed-simd', plugin: wasmWith({ relaxedSimd: true }) },
] as const;

await useBackend(BUILDS[1].plugin);
if (BUILDS[1].plugin.capabilities().details.kernelBuild !== 'relaxed-simd') {
  throw new Error(
    `relaxed SIMD does not validate in Node ${process.version} (V8 ${process.versions.v8}): run Node 20 with --experimental-wasm-relaxed-simd, or Node 21+`,
  );
}

interface Ms {
  readonly train: number;
  readonly forward: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const gflops = (flops: number, ms: number) => (flops / ms / 1e6).toFixed(1);

console.log(
  `Node ${process.version} (V8 ${process.versions.v8}), ${values.clock} time, ${rounds} alternating rounds per figure`,
);
console.log(
  '\n| workload | build | train ms | forward ms | train GFLOP/s | forward GFLOP/s | relaxed speed-up (train / forward) |',
);
console.log('|---|---|---|---|---|---|---|');
for (const w of WORKLOADS.filter((x) => (values.workload as string).split(',').includes(x.id))) {
  const { x, y } = workloadData(w);
  const times = BUILDS.map(() => ({ train: [] as number[], forward: [] as number[] }));
  for (let r = 0; r < rounds; r++) {
    for (const [i, { plugin }] of BUILDS.entries()) {
      // Switching plug-ins rebinds the kernels to the other build (the model runs through tfjs' kernel registry).
      await useBackend(plugin);
      const model: BenchModel = recurModel(w, x, y);
      try {
        times[i]?.train.push(await medianMs(model.train, timing));
        times[i]?.forward.push(await medianMs(model.forward, timing));
      } finally {
        model.dispose();
      }
    }
  }
  const [plain, relaxed] = times.map((t) => ({ train: median(t.train), forward: median(t.forward) })) as [Ms, Ms];
  for (const [build, m, ratio] of [
    ['simd', plain, ''],
    [
      'relaxed-simd',
      relaxed,
      `${(plain.train / relaxed.train).toFixed(2)}× / ${(plain.forward / relaxed.forward).toFixed(2)}×`,
    ],
  ] as const) {
    console.log(
      `| ${w.id} | ${build} | ${m.train.toFixed(1)} | ${m.forward.toFixed(1)} | ${gflops(trainFlops(w), m.train)} | ${gflops(forwardFlops(w), m.forward)} | ${ratio} |`,
    );
  }
  tf.dispose([x, y]);
}
