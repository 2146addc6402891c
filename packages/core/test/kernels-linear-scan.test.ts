import {
  type AnyKernelDescriptor,
  hasFusedKernel,
  linearScan,
  logLinearScan,
  RecurError,
  Rng,
  runKernel,
} from '@recur/core';
import { checkLeaks, describeBackends, expectClose } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { useReferenceKernels } from './kernels-cases.js';
import {
  AFFINE_STEP,
  finiteDifferences,
  holes,
  LOG_AFFINE_STEP,
  leadingPadding,
  readOut,
  type ScanValues,
  type StepRule,
  sequentialScan,
} from './kernels-scan-oracle.js';

interface ScanKernel {
  readonly descriptor: AnyKernelDescriptor;
  /** Step inputs, then the state. */
  readonly inputs: readonly [string, string, string];
  readonly rule: StepRule;
  /** The state when none is given: h0 = 0. */
  readonly empty: number;
  /** Ranges of random first / second / state values. */
  readonly ranges: readonly [number, number][];
}

const KERNELS: [string, ScanKernel][] = [
  [
    'linearScan',
    {
      descriptor: linearScan,
      inputs: ['a', 'b', 'h0'],
      rule: AFFINE_STEP,
      empty: 0,
      ranges: [
        [-1, 1],
        [-1, 1],
        [-1, 1],
      ],
    },
  ],
  [
    'logLinearScan',
    {
      descriptor: logLinearScan,
      inputs: ['logA', 'logB', 'logH0'],
      rule: LOG_AFFINE_STEP,
      empty: -Infinity,
      ranges: [
        [-3, 0],
        [-3, 1],
        [-2, 1],
      ],
    },
  ],
];

interface Scenario {
  readonly shape: readonly number[];
  readonly reverse?: boolean;
  readonly initial?: boolean;
  readonly mask?: (batch: number, time: number) => Float64Array;
  /** Indices of `second` set to −∞ (log b = −∞: b = 0). */
  readonly zeroSecond?: readonly number[];
}

const SCENARIOS: [string, Scenario][] = [
  ['rank 2 (no feature axes)', { shape: [3, 6] }],
  ['rank 3, reversed, from an initial state', { shape: [2, 5, 3], reverse: true, initial: true }],
  ['rank 4 with padding anywhere', { shape: [3, 4, 2, 3], mask: holes, initial: true }],
  ['rank 3, padding anywhere, reversed, no initial state', { shape: [3, 6, 5], mask: holes, reverse: true }],
  ['leading padding from an initial state', { shape: [3, 4, 2], mask: leadingPadding, initial: true }],
  ['leading padding without an initial state', { shape: [3, 4, 2], mask: leadingPadding }],
  ['one step, padded row, reversed', { shape: [3, 1, 4], mask: holes, reverse: true, initial: true }],
];

/** Float32-representable values, so the float64 oracle sees exactly what the kernel sees. */
function draw(rng: Rng, size: number, [low, high]: [number, number]): Float64Array {
  return Float64Array.from(rng.fillUniform(new Float32Array(size), low, high));
}

/**
 * Σ o⊙R over the finite entries of each visible output (log h = −∞ carries no gradient).
 * Which entries are finite is read from the values, outside the differentiated graph.
 */
function readOutTensors(outputs: tf.Tensor[], probes: tf.Tensor[]): tf.Scalar {
  const terms = outputs.map((o, i) => {
    const finite = tf.tensor(
      Float32Array.from(o.dataSync(), (v) => (v === -Infinity ? 0 : 1)),
      o.shape,
    );
    const safe = tf.where(tf.cast(finite, 'bool'), o, tf.zerosLike(o));
    return tf.sum(tf.mul(tf.mul(safe, finite), probes[i] as tf.Tensor));
  });
  return tf.addN(terms) as tf.Scalar;
}

function expectMatchesOracle(kernel: ScanKernel, scenario: Scenario, seed: number): void {
  const rng = new Rng(seed);
  const [batch, time, ...rest] = scenario.shape as [number, number, ...number[]];
  const features = rest.reduce((a, b) => a * b, 1);
  const size = batch * time * features;
  const [firstRange, secondRange, stateRange] = kernel.ranges as [number, number][];
  const second = draw(rng, size, secondRange as [number, number]);
  for (const i of scenario.zeroSecond ?? []) second[i] = -Infinity;
  const values: ScanValues = {
    first: draw(rng, size, firstRange as [number, number]),
    second,
    ...(scenario.initial ? { state: draw(rng, batch * features, stateRange as [number, number]) } : {}),
  };
  const mask = scenario.mask?.(batch, time);
  const problem = { batch, time, features, reverse: scenario.reverse ?? false, ...(mask ? { mask } : {}) };
  const probes = [draw(rng, size, [-1, 1]), draw(rng, batch * features, [-1, 1])] as const;
  const expected = sequentialScan(problem, values, kernel.rule, kernel.empty);

  const [firstName, secondName, stateName] = kernel.inputs;
  const stateShape = [batch, ...rest];
  const given: Record<string, tf.Tensor> = {
    [firstName]: tf.tensor(Float32Array.from(values.first), [...scenario.shape]),
    [secondName]: tf.tensor(Float32Array.from(values.second), [...scenario.shape]),
    ...(values.state ? { [stateName]: tf.tensor(Float32Array.from(values.state), stateShape) } : {}),
    ...(mask ? { mask: tf.tensor2d(Float32Array.from(mask), [batch, time]) } : {}),
  };
  const differentiable = kernel.inputs.filter((name) => given[name] !== undefined);
  const attrs = { reverse: problem.reverse };
  const [states, final, ...grads] = tf.tidy(() => {
    const r = [
      tf.tensor(Float32Array.from(probes[0]), [...scenario.shape]),
      tf.tensor(Float32Array.from(probes[1]), stateShape),
    ];
    const outputsOf = (inputs: Record<string, tf.Tensor>) => {
      const outs = runKernel(kernel.descriptor, inputs as never, attrs as never) as Record<string, tf.Tensor>;
      return kernel.descriptor.outputs.map((name) => outs[name] as tf.Tensor);
    };
    const loss = (...xs: tf.Tensor[]) =>
      readOutTensors(
        outputsOf({ ...given, ...Object.fromEntries(differentiable.map((n, i) => [n, xs[i] as tf.Tensor])) }),
        r,
      );
    return [...outputsOf(given), ...tf.grads(loss)(differentiable.map((n) => given[n] as tf.Tensor))].map((t) =>
      Array.from(t.dataSync()),
    );
  });
  tf.dispose(Object.values(given));

  expect(states).toHaveLength(size);
  expectClose(states as number[], Array.from(expected.hs), { rtol: 1e-5, atol: 1e-5 });
  expectClose(final as number[], Array.from(expected.hT), { rtol: 1e-5, atol: 1e-5 });
  const keys = ['first', 'second', 'state'] as const;
  differentiable.forEach((name, i) => {
    const key = keys[kernel.inputs.indexOf(name)] as (typeof keys)[number];
    const fd = finiteDifferences(values[key] as Float64Array, (x) => {
      const run = sequentialScan(problem, { ...values, [key]: x }, kernel.rule, kernel.empty);
      return readOut(run.hs, run.hT, probes[0], probes[1]);
    });
    const gradient = grads[i] as number[];
    expect(gradient.every(Number.isFinite), `${name}: finite gradient`).toBe(true);
    expectClose(gradient, Array.from(fd), { rtol: 1e-3, atol: 1e-4 });
  });
}

describeBackends('linear-scan kernels', (backend) => {
  checkLeaks();

  describe.each(['fused', 'reference'] as const)('%s', (path) => {
    if (path === 'reference') useReferenceKernels();

    describe.each(KERNELS)('%s', (_label, kernel) => {
      it('should run the path under test', () => {
        // webgpu fuses the linear scan only; its log-space form runs core's reference there.
        const fusedHere =
          backend.name === 'cpu' ||
          backend.name === 'wasm' ||
          (backend.name === 'webgpu' && kernel.descriptor === linearScan);
        const fused = path === 'fused' && fusedHere;
        expect(hasFusedKernel(kernel.descriptor)).toBe(fused);
      });

      it.each(SCENARIOS)('should equal a sequential float64 loop and its finite differences: %s', (_name, scenario) => {
        expectMatchesOracle(kernel, scenario, 7);
      });
    });

    it('should keep log h = −∞ (h = 0) where log b is −∞, with finite gradients (no −∞ − (−∞))', () => {
      const kernel = (KERNELS[1] as [string, ScanKernel])[1];
      expectMatchesOracle(kernel, { shape: [2, 5, 3], zeroSecond: [0, 1, 2, 3, 5, 16, 17, 20] }, 9);
      expectMatchesOracle(kernel, { shape: [2, 5, 3], mask: leadingPadding, reverse: true, zeroSecond: [4, 29] }, 10);
    });
  });
});

describe('linear-scan kernel inputs', () => {
  checkLeaks();

  const call =
    (inputs: () => Record<string, unknown>, attrs: unknown = { reverse: false }) =>
    () =>
      tf.tidy(() => {
        runKernel(linearScan, inputs() as never, attrs as never);
      });

  it('should name the input whose shape disagrees with a', () => {
    const bad = call(() => ({ a: tf.zeros([2, 3, 4]), b: tf.zeros([2, 3, 5]) }));
    expect(bad).toThrow(RecurError);
    expect(bad).toThrow(
      /RecurLinearScan input 'b': expected shape \[2, 3, 4\], received a tensor of shape \[2, 3, 5\]/,
    );
    expect(call(() => ({ a: tf.zeros([2, 3]), b: tf.zeros([2, 3]), h0: tf.zeros([3]) }))).toThrow(/input 'h0'/);
    expect(call(() => ({ a: tf.zeros([2, 3]), b: tf.zeros([2, 3]), mask: tf.ones([3, 2]) }))).toThrow(/input 'mask'/);
  });

  it('should refuse a step tensor of rank below 2, a non-tensor and a missing reverse', () => {
    expect(call(() => ({ a: tf.zeros([4]), b: tf.zeros([4]) }))).toThrow(
      /input 'a': expected a float32 tensor of rank 2 or more/,
    );
    expect(call(() => ({ a: [1, 2], b: tf.zeros([1, 2]) }))).toThrow(RecurError);
    expect(call(() => ({ a: tf.zeros([1, 2]), b: tf.zeros([1, 2]) }), {})).toThrow(
      /attrs\.reverse: expected a boolean/,
    );
  });
});
