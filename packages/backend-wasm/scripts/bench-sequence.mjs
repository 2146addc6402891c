// Times workload W1 of DESIGN.md "Performance plan" (LSTM, batch 32, time 64, input 64,
// hidden 256) on the wasm backend, with Recur's fused kernels and with core's reference
// kernels in tfjs ops: forward, forward + backward, and a whole training step (Dense(10)
// head, softmax cross-entropy, Adam). Prints medians; asserts nothing. Run after
// `pnpm build` (it loads dist/): `node scripts/bench-sequence.mjs [repeats]`.
import { elmanSequence, gruSequence, lstmSequence, Rng, runKernel, useBackend } from '@recur/core';
import { kernelConfigs } from '@recur/core/kernel-api';
import * as tf from '@tensorflow/tfjs-core';
import { WASM_KERNELS, wasm } from '../dist/index.js';

const repeats = Number(process.argv[2] ?? 5);
const [B, T, I, H, CLASSES] = [32, 64, 64, 256, 10];
const attrs = { activation: 'tanh', recurrentActivation: 'sigmoid', reverse: false, maskedOutput: 'zeros' };

await useBackend(wasm);
const rng = new Rng(1);
const uniform = (shape, scale) =>
  tf.tensor(rng.fillUniform(new Float32Array(shape.reduce((a, b) => a * b, 1)), -scale, scale), shape);
const x = uniform([B, T, I], 1);
const labels = tf.oneHot(
  tf.tensor1d(
    Array.from({ length: B }, () => rng.int(CLASSES)),
    'int32',
  ),
  CLASSES,
);
const params = {
  kernel: tf.variable(uniform([I, 4 * H], 0.1)),
  recurrentKernel: tf.variable(uniform([H, 4 * H], 0.06)),
  bias: tf.variable(tf.zeros([4 * H])),
  dense: tf.variable(uniform([H, CLASSES], 0.1)),
  denseBias: tf.variable(tf.zeros([CLASSES])),
};
const h0 = tf.zeros([B, H]);
const c0 = tf.zeros([B, H]);
const optimizer = tf.train.adam(1e-3);

const lstm = (kernel, recurrentKernel, bias) => {
  const { ys, hT, cT } = runKernel(lstmSequence, { x, kernel, recurrentKernel, bias, h0, c0 }, attrs);
  return [ys, hT, cT];
};

const tasks = {
  forward: () => {
    const outs = lstm(params.kernel, params.recurrentKernel, params.bias);
    outs[0].dataSync();
    tf.dispose(outs);
  },
  'forward+backward': () => {
    const grads = tf.grads((k, u, b) => tf.sum(lstm(k, u, b)[0]))([params.kernel, params.recurrentKernel, params.bias]);
    grads[0].dataSync();
    tf.dispose(grads);
  },
  'training step': () => {
    const loss = optimizer.minimize(() => {
      const [, hT] = lstm(params.kernel, params.recurrentKernel, params.bias);
      const logits = tf.add(tf.matMul(hT, params.dense), params.denseBias);
      return tf.losses.softmaxCrossEntropy(labels, logits);
    }, true);
    loss.dataSync();
    loss.dispose();
  },
};

/**
 * Median wall time and median CPU time (user + system) of this process: on a shared
 * machine the CPU time is the steadier of the two, as it leaves out time spent waiting
 * for a core.
 */
function median(run) {
  run();
  const wall = [];
  const cpu = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    const used = process.cpuUsage();
    run();
    const { user, system } = process.cpuUsage(used);
    wall.push(performance.now() - start);
    cpu.push((user + system) / 1000);
  }
  const mid = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return { wall: mid(wall), cpu: mid(cpu) };
}

function register(on) {
  for (const config of kernelConfigs(WASM_KERNELS)) {
    const present = tf.getKernel(config.kernelName, 'wasm') != null;
    if (on && !present) tf.registerKernel(config);
    if (!on && present) tf.unregisterKernel(config.kernelName, 'wasm');
  }
}

// Multiply-adds of the products: forward 2·B·T·(I + H)·4H; backward twice that
// (dh and dx through the weights, dW and dU from the activations).
const forwardFlops = 2 * B * T * (I + H) * 4 * H;
const flops = { forward: forwardFlops, 'forward+backward': 3 * forwardFlops, 'training step': 3 * forwardFlops };

console.log(
  `W1: LSTM batch ${B}, time ${T}, input ${I}, hidden ${H}; wasm backend; median of ${repeats} after warm-up`,
);
const results = {};
for (const [name, run] of Object.entries(tasks)) {
  register(true);
  const fused = median(run);
  register(false);
  const reference = median(run);
  register(true);
  results[name] = { fused, reference };
  console.log(
    `${name.padEnd(17)} fused ${fused.wall.toFixed(1).padStart(6)} ms wall, ${fused.cpu.toFixed(1).padStart(6)} ms CPU ` +
      `(${(flops[name] / fused.cpu / 1e6).toFixed(1)} GFLOP/s)   reference ${reference.wall.toFixed(1).padStart(7)} ms wall, ` +
      `${reference.cpu.toFixed(1).padStart(7)} ms CPU   ×${(reference.cpu / fused.cpu).toFixed(1)}`,
  );
}
const forward = results.forward.fused;
const step = results['training step'].fused;
console.log(
  `vs tfjs-layers on wasm (DESIGN.md: forward 102 ms, training step 2625 ms), by CPU time: ` +
    `forward ×${(102 / forward.cpu).toFixed(1)} (target ×4), training step ×${(2625 / step.cpu).toFixed(1)} (target ×15)`,
);

// The other cells on the same sizes, fused only (the reference takes seconds each).
const others = [
  ['GRU (resetAfter)', gruSequence, 3, { resetAfter: true }],
  ['GRU (tfjs-layers)', gruSequence, 3, { resetAfter: false }],
  ['Elman', elmanSequence, 1, {}],
];
for (const [label, descriptor, gates, extra] of others) {
  const weights = [uniform([I, gates * H], 0.1), uniform([H, gates * H], 0.06), tf.zeros([gates * H])];
  const run = (kernel, recurrentKernel, bias) => {
    const { ys, hT } = runKernel(descriptor, { x, kernel, recurrentKernel, bias, h0 }, { ...attrs, ...extra });
    return [ys, hT];
  };
  const forwardOnly = median(() => {
    const outs = run(...weights);
    outs[0].dataSync();
    tf.dispose(outs);
  });
  const both = median(() => {
    const grads = tf.grads((k, u, b) => tf.sum(run(k, u, b)[0]))(weights);
    grads[0].dataSync();
    tf.dispose(grads);
  });
  const cellFlops = 2 * B * T * (I + H) * gates * H;
  console.log(
    `${label.padEnd(17)} forward ${forwardOnly.wall.toFixed(1)} ms wall (${(cellFlops / forwardOnly.cpu / 1e6).toFixed(1)} GFLOP/s CPU), ` +
      `forward+backward ${both.wall.toFixed(1)} ms wall (${((3 * cellFlops) / both.cpu / 1e6).toFixed(1)} GFLOP/s CPU)`,
  );
  tf.dispose(weights);
}
tf.dispose([x, labels, h0, c0, ...Object.values(params)]);
optimizer.dispose();
