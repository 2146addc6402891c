import { Rng, type SEQUENCE_KERNEL_ACTIVATIONS } from '@recur/core';
import { runSequenceKernel } from '@recur/core/internal';
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { expect } from 'vitest';
import { expectClose } from './tolerance.js';

/**
 * The parity harness every backend's fused sequence kernels are held to: random shapes,
 * masks, directions and activations; outputs and the gradients of a random linear
 * function of them with respect to every input, fused against core's reference.
 */
export type SequenceKernelKind = 'RecurLstmSequence' | 'RecurGruSequence' | 'RecurElmanSequence';
type Activation = (typeof SEQUENCE_KERNEL_ACTIVATIONS)[number];

export interface SequenceKernelCase {
  kind: SequenceKernelKind;
  batch: number;
  time: number;
  input: number;
  units: number;
  reverse: boolean;
  masked: boolean;
  maskedOutput: 'zeros' | 'previous';
  resetAfter: boolean;
  recurrentBias: boolean;
  activation: Activation;
  recurrentActivation: Activation;
  seed: number;
  /** Half-width of the uniform weights and states (x is twice as wide); 0.5 unless given. */
  scale?: number;
}

function makeInputs(c: SequenceKernelCase) {
  const rng = new Rng(c.seed);
  const gates = c.kind === 'RecurLstmSequence' ? 4 : c.kind === 'RecurGruSequence' ? 3 : 1;
  const scale = c.scale ?? 0.5;
  const r = (shape: number[], s = scale) =>
    tf.tensor(rng.fillUniform(new Float32Array(shape.reduce((a, b) => a * b, 1)), -s, s), shape);
  const H = c.units;
  const mask = c.masked
    ? tf.tensor2d(
        Array.from({ length: c.batch }, (_, b) => {
          const len = b === 0 ? c.time : rng.int(c.time + 1);
          return Array.from({ length: c.time }, (_, t) => (t < len ? 1 : 0));
        }),
      )
    : undefined;
  const inputs: Record<string, tf.Tensor | undefined> = {
    x: r([c.batch, c.time, c.input], 2 * scale),
    kernel: r([c.input, gates * H]),
    recurrentKernel: r([H, gates * H]),
    bias: c.kind === 'RecurGruSequence' && c.resetAfter && c.recurrentBias ? r([2, 3 * H]) : r([gates * H]),
    h0: r([c.batch, H]),
    ...(c.kind === 'RecurLstmSequence' ? { c0: r([c.batch, H]) } : {}),
    mask,
  };
  const attrs = {
    activation: c.activation,
    recurrentActivation: c.recurrentActivation,
    reverse: c.reverse,
    maskedOutput: c.maskedOutput,
    resetAfter: c.resetAfter,
  };
  return { inputs, attrs };
}

/** Forward outputs, then the gradients of a random linear function of them w.r.t. every input. */
function run(c: SequenceKernelCase): number[][] {
  return tf.tidy(() => {
    const { inputs, attrs } = makeInputs(c);
    const names = Object.keys(inputs).filter((k) => k !== 'mask' && inputs[k] !== undefined);
    const rng = new Rng(c.seed + 1);
    let probes: tf.Tensor[] = [];
    const f = (...xs: tf.Tensor[]) => {
      const given = Object.fromEntries(names.map((n, i) => [n, xs[i]]));
      const outs = runSequenceKernel(c.kind, { ...given, mask: inputs.mask }, attrs as never);
      if (probes.length === 0) {
        probes = outs.map((o) => tf.tensor(rng.fillUniform(new Float32Array(o.size), -1, 1), o.shape));
      }
      return tf.addN(outs.map((o, i) => tf.sum(tf.mul(o, probes[i] as tf.Tensor)))) as tf.Scalar;
    };
    const args = names.map((n) => inputs[n] as tf.Tensor);
    const outs = runSequenceKernel(c.kind, inputs, attrs as never);
    const grads = tf.grads(f)(args);
    return [...outs, ...grads].map((t) => Array.from(t.dataSync()));
  });
}

/** Registers (or removes) a backend's fused kernel configs. */
export function registerKernels(configs: readonly tf.KernelConfig[], backend: string, on: boolean): void {
  for (const k of configs) {
    const present = tf.getKernel(k.kernelName, backend) != null;
    if (on && !present) tf.registerKernel(k);
    if (!on && present) tf.unregisterKernel(k.kernelName, backend);
  }
}

/**
 * Runs `c` with the reference kernels, then with `configs` registered for `backend`:
 * forward within 1e-5, gradients within 1e-4, and no tensor left behind. Leaves the
 * fused kernels registered.
 */
export function expectFusedMatchesReference(
  c: SequenceKernelCase,
  configs: readonly tf.KernelConfig[],
  backend: string,
): void {
  const before = tf.memory().numTensors;
  registerKernels(configs, backend, false);
  const reference = run(c);
  registerKernels(configs, backend, true);
  const fused = run(c);
  expect(tf.memory().numTensors).toBe(before);
  expect(fused.length).toBe(reference.length);
  const visible = c.kind === 'RecurLstmSequence' ? 3 : 2;
  for (const [i, values] of fused.entries()) {
    const tolerance = i < visible ? { rtol: 1e-5, atol: 1e-5 } : { rtol: 1e-4, atol: 1e-4 };
    expectClose(values, reference[i] as number[], tolerance);
  }
}

/** Random cases: every kernel, batch 1–7, time 1–6, odd sizes, masks, both directions and output modes. */
export const sequenceKernelCases: fc.Arbitrary<SequenceKernelCase> = fc.record({
  kind: fc.constantFrom<SequenceKernelKind>('RecurLstmSequence', 'RecurGruSequence', 'RecurElmanSequence'),
  batch: fc.integer({ min: 1, max: 7 }),
  time: fc.integer({ min: 1, max: 6 }),
  input: fc.integer({ min: 1, max: 9 }),
  units: fc.integer({ min: 1, max: 11 }),
  reverse: fc.boolean(),
  masked: fc.boolean(),
  maskedOutput: fc.constantFrom<'zeros' | 'previous'>('zeros', 'previous'),
  resetAfter: fc.boolean(),
  recurrentBias: fc.boolean(),
  activation: fc.constantFrom<Activation>('tanh', 'relu', 'softsign'),
  recurrentActivation: fc.constantFrom<Activation>('sigmoid', 'hardSigmoid'),
  seed: fc.integer({ min: 0, max: 1_000_000 }),
});
