import { cpu } from '@recur/backend-cpu';
import { Rng, useBackend } from '@recur/core';
import { runSequenceKernel } from '@recur/core/internal';
import { expectClose } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CPU_KERNEL_CONFIGS } from '../src/kernels/configs.js';

type Kind = 'RecurLstmSequence' | 'RecurGruSequence' | 'RecurElmanSequence';

interface Case {
  kind: Kind;
  batch: number;
  time: number;
  input: number;
  units: number;
  reverse: boolean;
  masked: boolean;
  maskedOutput: 'zeros' | 'previous';
  resetAfter: boolean;
  recurrentBias: boolean;
  activation: 'tanh' | 'relu' | 'softsign';
  recurrentActivation: 'sigmoid' | 'hardSigmoid';
  seed: number;
}

function makeInputs(c: Case) {
  const rng = new Rng(c.seed);
  const gates = c.kind === 'RecurLstmSequence' ? 4 : c.kind === 'RecurGruSequence' ? 3 : 1;
  const r = (shape: number[], scale = 0.5) =>
    tf.tensor(rng.fillUniform(new Float32Array(shape.reduce((a, b) => a * b, 1)), -scale, scale), shape);
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
    x: r([c.batch, c.time, c.input], 1),
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

/** Forward outputs and the gradients of a random linear function of them, with respect to every input. */
function run(c: Case): number[][] {
  return tf.tidy(() => {
    const { inputs, attrs } = makeInputs(c);
    const names = Object.keys(inputs).filter((k) => k !== 'mask' && inputs[k] !== undefined);
    const rng = new Rng(c.seed + 1);
    let probes: tf.Tensor[] = [];
    const f = (...xs: tf.Tensor[]) => {
      const given = Object.fromEntries(names.map((n, i) => [n, xs[i]]));
      const outs = runSequenceKernel(c.kind, { ...given, mask: inputs.mask }, attrs as never);
      if (probes.length === 0)
        probes = outs.map((o) => tf.tensor(rng.fillUniform(new Float32Array(o.size), -1, 1), o.shape));
      return tf.addN(outs.map((o, i) => tf.sum(tf.mul(o, probes[i] as tf.Tensor)))) as tf.Scalar;
    };
    const args = names.map((n) => inputs[n] as tf.Tensor);
    const outs = runSequenceKernel(c.kind, inputs, attrs as never);
    const grads = tf.grads(f)(args);
    return [...outs, ...grads].map((t) => Array.from(t.dataSync()));
  });
}

const caseArb = fc.record({
  kind: fc.constantFrom<Kind>('RecurLstmSequence', 'RecurGruSequence', 'RecurElmanSequence'),
  batch: fc.integer({ min: 1, max: 7 }),
  time: fc.integer({ min: 1, max: 6 }),
  input: fc.integer({ min: 1, max: 9 }),
  units: fc.integer({ min: 1, max: 11 }),
  reverse: fc.boolean(),
  masked: fc.boolean(),
  maskedOutput: fc.constantFrom<'zeros' | 'previous'>('zeros', 'previous'),
  resetAfter: fc.boolean(),
  recurrentBias: fc.boolean(),
  activation: fc.constantFrom<'tanh' | 'relu' | 'softsign'>('tanh', 'relu', 'softsign'),
  recurrentActivation: fc.constantFrom<'sigmoid' | 'hardSigmoid'>('sigmoid', 'hardSigmoid'),
  seed: fc.integer({ min: 0, max: 1_000_000 }),
});

describe('cpu fused sequence kernels against the reference', () => {
  beforeAll(async () => {
    await useBackend(cpu);
  });

  afterAll(() => {
    for (const k of CPU_KERNEL_CONFIGS) if (tf.getKernel(k.kernelName, 'cpu')) tf.unregisterKernel(k.kernelName, 'cpu');
  });

  it('should match forward within 1e-5 and gradients within 1e-4 over random shapes, masks and directions', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        for (const k of CPU_KERNEL_CONFIGS)
          if (tf.getKernel(k.kernelName, 'cpu')) tf.unregisterKernel(k.kernelName, 'cpu');
        const before = tf.memory().numTensors;
        const reference = run(c);
        for (const k of CPU_KERNEL_CONFIGS) tf.registerKernel(k);
        const fused = run(c);
        expect(tf.memory().numTensors).toBe(before);
        expect(fused.length).toBe(reference.length);
        const visible = c.kind === 'RecurLstmSequence' ? 3 : 2;
        for (const [i, values] of fused.entries()) {
          const tolerance = i < visible ? { rtol: 1e-5, atol: 1e-5 } : { rtol: 1e-4, atol: 1e-4 };
          expectClose(values, reference[i] as number[], tolerance);
        }
      }),
      { numRuns: 60, seed: 42 },
    );
  });
});
