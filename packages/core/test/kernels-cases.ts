/**
 * Shared cases for the reference-kernel tests: each kernel configuration against each
 * run scenario, with a loss that reads every visible output (sequence, final h and c)
 * so every gradient path is exercised.
 */
import { type Carry, KERNEL_DESCRIPTORS, Rng, type ScanOptions, scan } from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll } from 'vitest';
import { cellPair, type Kind, type RnnParams, randn, randomCarry, type TestCellOptions } from './scan-cells.js';

/**
 * Makes the enclosing block test core's reference kernels even where the backend plug-in
 * registered fused ones: they are unregistered for the block and registered again after.
 */
export function useReferenceKernels(): void {
  let saved: tf.KernelConfig[] = [];
  beforeAll(() => {
    saved = unregisterFusedKernels();
  });
  afterAll(() => {
    for (const k of saved) tf.registerKernel(k);
  });
}

/** Runs `fn` on core's reference kernels, the fused ones unregistered for its duration. */
export function withReferenceKernels<T>(fn: () => T): T {
  const saved = unregisterFusedKernels();
  try {
    return fn();
  } finally {
    for (const k of saved) tf.registerKernel(k);
  }
}

function unregisterFusedKernels(): tf.KernelConfig[] {
  const saved = KERNEL_DESCRIPTORS.flatMap((d) => [d.name, d.gradName]).flatMap((name) => {
    const registered = tf.getKernel(name, tf.getBackend());
    return registered == null ? [] : [registered];
  });
  for (const k of saved) tf.unregisterKernel(k.kernelName, k.backendName);
  return saved;
}

export const I = 3;
export const H = 4;

export type KernelConfig = [label: string, kind: Kind, options: Partial<Omit<TestCellOptions, 'fused'>>];

export const KERNEL_CONFIGS: KernelConfig[] = [
  ['elman tanh', 'elman', {}],
  ['elman relu', 'elman', { activation: 'relu' }],
  ['lstm', 'lstm', {}],
  ['lstm with hardSigmoid gates (tfjs-layers)', 'lstm', { recurrentActivation: 'hardSigmoid' }],
  ['gru resetAfter false (tfjs-layers)', 'gru', { resetAfter: false }],
  ['gru resetAfter true, bias [3H]', 'gru', { resetAfter: true }],
  ['gru resetAfter true, bias [2, 3H] (Keras)', 'gru', { resetAfter: true, splitBias: true }],
];

export interface Scenario {
  readonly batch: number;
  readonly time: number;
  readonly initial?: boolean;
  readonly mask?: 'holes' | 'lengths';
  readonly reverse?: boolean;
  readonly keepOrder?: boolean;
  readonly maskedOutput?: 'zeros' | 'previous';
}

export const SCENARIOS: [string, Scenario][] = [
  ['batch 7', { batch: 7, time: 5 }],
  ['batch 1', { batch: 1, time: 4 }],
  ['sequence length 1', { batch: 3, time: 1, initial: true }],
  ['reverse from an initial state', { batch: 4, time: 5, initial: true, reverse: true }],
  ['a mask with holes', { batch: 7, time: 5, mask: 'holes', initial: true }],
  [
    "seqLengths, reverse, keepOrder and maskedOutput 'previous'",
    { batch: 7, time: 5, mask: 'lengths', reverse: true, keepOrder: true, maskedOutput: 'previous' },
  ],
];

/** Everything one case needs; `dispose()` frees it. */
export function makeCase(kind: Kind, options: KernelConfig[2], scenario: Scenario, seed: number) {
  const rng = new Rng(seed);
  const { fused, stepped } = cellPair(kind, { inputSize: I, units: H, ...options });
  const params = fused.init(rng);
  const { batch, time } = scenario;
  const xs = randn([batch, time, I], rng) as tf.Tensor3D;
  const initial = scenario.initial ? randomCarry(kind, batch, H, rng) : undefined;
  const lengths = Array.from({ length: batch }, (_, b) => (b === 0 ? time : rng.int(time + 1)));
  const holes =
    scenario.mask === 'holes'
      ? (tf.tensor2d(
          Array.from({ length: batch }, (_, b) =>
            Array.from({ length: time }, () => (b === 0 || rng.uniform() < 0.6 ? 1 : 0)),
          ),
        ) as tf.Tensor2D)
      : undefined;
  const options_: ScanOptions<Carry> = {
    ...(scenario.reverse ? { reverse: true } : {}),
    ...(scenario.keepOrder ? { keepOrder: true } : {}),
    ...(scenario.maskedOutput ? { maskedOutput: scenario.maskedOutput } : {}),
    ...(holes ? { mask: holes } : {}),
    ...(scenario.mask === 'lengths' ? { seqLengths: lengths } : {}),
  };
  // Random read-out weights: every output element gets its own gradient.
  const readout = {
    ys: randn([batch, time, H], rng),
    h: randn([batch, H], rng),
    c: randn([batch, H], rng),
  };
  return {
    fused,
    stepped,
    params,
    xs,
    initial,
    options: options_,
    readout,
    dispose() {
      tf.dispose([params, xs, initial ?? {}, holes ?? [], readout] as tf.TensorContainer[]);
    },
  };
}

export type Case = ReturnType<typeof makeCase>;

/** The differentiable inputs of a case, in a fixed order: xs, kernel, recurrentKernel, bias, h0, c0. */
export function caseInputs(c: Case, kind: Kind): tf.Tensor[] {
  const h0 = c.initial?.h ?? tf.zeros([c.xs.shape[0], H]);
  const c0 = c.initial?.c ?? tf.zeros([c.xs.shape[0], H]);
  const base = [c.xs, c.params.kernel, c.params.recurrentKernel, c.params.bias, h0];
  return kind === 'lstm' ? [...base, c0] : base;
}

/** Σ ys⊙R + Σ hT⊙Rh (+ Σ cT⊙Rc) for `cell` run by scan on the given inputs. */
export function caseLoss(c: Case, kind: Kind, fusedPath: boolean) {
  const cell = fusedPath ? c.fused : c.stepped;
  return (...inputs: tf.Tensor[]): tf.Scalar => {
    const [xs, kernel, recurrentKernel, bias, h0, c0] = inputs;
    const params: RnnParams = {
      kernel: kernel as tf.Tensor2D,
      recurrentKernel: recurrentKernel as tf.Tensor2D,
      bias: bias as tf.Tensor,
    };
    const initialState: Carry =
      kind === 'lstm' ? { h: h0 as tf.Tensor2D, c: c0 as tf.Tensor2D } : { h: h0 as tf.Tensor2D };
    const r = scan(cell, params, xs as tf.Tensor3D, { ...c.options, initialState });
    let loss = tf.add(tf.sum(tf.mul(r.outputs, c.readout.ys)), tf.sum(tf.mul(r.state?.h as tf.Tensor, c.readout.h)));
    if (kind === 'lstm') loss = tf.add(loss, tf.sum(tf.mul(r.state?.c as tf.Tensor, c.readout.c)));
    return loss as tf.Scalar;
  };
}
