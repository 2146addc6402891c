import {
  hasFusedKernel,
  MIN_RNN_BLOCKS,
  type MinRnnCandidate,
  type MinRnnGates,
  minRnnScan,
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
  leadingPadding,
  readOut,
  type ScanProblem,
  sequentialScan,
} from './kernels-scan-oracle.js';

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const CANDIDATES: Record<MinRnnCandidate, (x: number) => number> = {
  g: (x) => (x >= 0 ? x + 0.5 : sigmoid(x)),
  linear: (x) => x,
};

/**
 * The paper's a_t, b_t in float64 from the pre-activations `[B, T, blocks·H]`, written
 * from the equations (Feng et al. 2024, §3.1.3 and §3.2.3: f′ = f/(f + i), i′ = i/(f + i)),
 * not from the kernel's softplus form.
 */
function coefficients(pre: Float64Array, gates: MinRnnGates, candidate: MinRnnCandidate, units: number) {
  const blocks = MIN_RNN_BLOCKS[gates];
  const steps = pre.length / (blocks * units);
  const a = new Float64Array(steps * units);
  const b = new Float64Array(steps * units);
  const c = CANDIDATES[candidate];
  for (let s = 0; s < steps; s++) {
    for (let f = 0; f < units; f++) {
      const at = (block: number) => pre[s * blocks * units + block * units + f] as number;
      if (gates === 'minGru') {
        const z = sigmoid(at(0));
        a[s * units + f] = 1 - z;
        b[s * units + f] = z * c(at(1));
      } else {
        const [fg, ig] = [sigmoid(at(0)), sigmoid(at(1))];
        a[s * units + f] = fg / (fg + ig);
        b[s * units + f] = (ig / (fg + ig)) * c(at(2));
      }
    }
  }
  return { a, b };
}

interface Scenario {
  readonly batch: number;
  readonly time: number;
  readonly units: number;
  readonly reverse?: boolean;
  readonly initial?: boolean;
  readonly biased?: boolean;
  readonly mask?: (batch: number, time: number) => Float64Array;
}

const SCENARIOS: [string, Scenario][] = [
  ['one row, odd time, 4k + 1 features (the SIMD tail)', { batch: 1, time: 7, units: 5 }],
  [
    'reversed from an initial state, with a bias',
    { batch: 2, time: 5, units: 8, reverse: true, initial: true, biased: true },
  ],
  [
    'padding anywhere, from an initial state, with a bias',
    { batch: 3, time: 6, units: 3, mask: holes, initial: true, biased: true },
  ],
  ['leading padding, reversed', { batch: 3, time: 4, units: 4, mask: leadingPadding, reverse: true }],
  [
    'one step, padded row, reversed',
    { batch: 3, time: 1, units: 6, mask: holes, reverse: true, initial: true, biased: true },
  ],
];

const VARIANTS: [MinRnnGates, MinRnnCandidate][] = [
  ['minGru', 'g'],
  ['minGru', 'linear'],
  ['minLstm', 'g'],
  ['minLstm', 'linear'],
];

function draw(rng: Rng, size: number, low: number, high: number): Float64Array {
  return Float64Array.from(rng.fillUniform(new Float32Array(size), low, high));
}

/** pre + bias, the bias broadcast over every row and step. */
function biasedPre(pre: Float64Array, bias: Float64Array): Float64Array {
  return pre.map((v, i) => v + (bias[i % bias.length] as number));
}

function expectMatchesOracle(gates: MinRnnGates, candidate: MinRnnCandidate, scenario: Scenario, seed: number) {
  const rng = new Rng(seed);
  const { batch, time, units } = scenario;
  const width = MIN_RNN_BLOCKS[gates] * units;
  const values = {
    pre: draw(rng, batch * time * width, -2, 2),
    bias: scenario.biased ? draw(rng, width, -1, 1) : new Float64Array(width),
    h0: scenario.initial ? draw(rng, batch * units, -1, 1) : new Float64Array(batch * units),
  };
  const mask = scenario.mask?.(batch, time);
  const problem: ScanProblem = {
    batch,
    time,
    features: units,
    reverse: scenario.reverse ?? false,
    ...(mask ? { mask } : {}),
  };
  const probes = [draw(rng, batch * time * units, -1, 1), draw(rng, batch * units, -1, 1)] as const;
  const oracle = (v: typeof values) => {
    const { a, b } = coefficients(biasedPre(v.pre, v.bias), gates, candidate, units);
    return sequentialScan(problem, { first: a, second: b, state: v.h0 }, AFFINE_STEP, 0);
  };
  const expected = oracle(values);

  const shapes = { pre: [batch, time, width], bias: [width], h0: [batch, units] };
  const names = scenario.biased ? (['pre', 'bias', 'h0'] as const) : (['pre', 'h0'] as const);
  const given: Record<string, tf.Tensor> = {
    ...Object.fromEntries(names.map((n) => [n, tf.tensor(Float32Array.from(values[n]), shapes[n])])),
    ...(mask ? { mask: tf.tensor2d(Float32Array.from(mask), [batch, time]) } : {}),
  };
  const attrs = { reverse: problem.reverse, gates, candidate };
  const [hs, hT, ...grads] = tf.tidy(() => {
    const r = [
      tf.tensor3d(Float32Array.from(probes[0]), [batch, time, units]),
      tf.tensor2d(Float32Array.from(probes[1]), [batch, units]),
    ];
    const outputs = (inputs: Record<string, tf.Tensor>) => runKernel(minRnnScan, inputs as never, attrs);
    const loss = (...xs: tf.Tensor[]) => {
      const out = outputs({ ...given, ...Object.fromEntries(names.map((n, i) => [n, xs[i] as tf.Tensor])) });
      return tf.add(tf.sum(tf.mul(out.hs, r[0] as tf.Tensor)), tf.sum(tf.mul(out.hT, r[1] as tf.Tensor))) as tf.Scalar;
    };
    const out = outputs(given);
    return [out.hs, out.hT, ...tf.grads(loss)(names.map((n) => given[n] as tf.Tensor))].map((t) =>
      Array.from(t.dataSync()),
    );
  });
  tf.dispose(Object.values(given));

  expectClose(hs as number[], Array.from(expected.hs), { rtol: 1e-5, atol: 1e-5 });
  expectClose(hT as number[], Array.from(expected.hT), { rtol: 1e-5, atol: 1e-5 });
  names.forEach((name, i) => {
    const fd = finiteDifferences(values[name], (x) => {
      const run = oracle({ ...values, [name]: x });
      return readOut(run.hs, run.hT, probes[0], probes[1]);
    });
    expect((grads[i] as number[]).every(Number.isFinite), `${name}: finite gradient`).toBe(true);
    expectClose(grads[i] as number[], Array.from(fd), { rtol: 1e-3, atol: 1e-4 });
  });
}

describeBackends('min-RNN scan kernel', (backend) => {
  checkLeaks();

  describe.each(['fused', 'reference'] as const)('%s', (path) => {
    if (path === 'reference') useReferenceKernels();

    it('should run the path under test', () => {
      const fused = path === 'fused' && (backend.name === 'cpu' || backend.name === 'wasm');
      expect(hasFusedKernel(minRnnScan)).toBe(fused);
    });

    describe.each(VARIANTS)('%s, candidate %s', (gates, candidate) => {
      it.each(SCENARIOS)(
        'should equal the paper’s equations in a float64 loop and their finite differences: %s',
        (_name, scenario) => {
          expectMatchesOracle(gates, candidate, scenario, 11);
        },
      );
    });

    it('should keep h finite where both minLSTM gates underflow (f + i = 0 in float32)', () => {
      const pre = tf.tensor3d([-200, -190, 1, -150, -160, 2], [1, 2, 3]);
      const h0 = tf.tensor2d([[0.5]]);
      const out = runKernel(minRnnScan, { pre, h0 }, { reverse: false, gates: 'minLstm', candidate: 'g' });
      const values = Array.from(out.hs.dataSync());
      expect(values.every(Number.isFinite)).toBe(true);
      // d = log f − log i = k_f − k_i here (softplus(−k) = −k to float precision): −10, then +10.
      const h1 = sigmoid(-10) * 0.5 + sigmoid(10) * 1.5;
      expectClose(values, [h1, sigmoid(10) * h1 + sigmoid(-10) * 2.5], { rtol: 1e-5, atol: 1e-6 });
      tf.dispose([pre, h0, out.hs, out.hT]);
    });

    it('should flush gradients that decayed below 2⁻¹⁰⁰ to zero, before their products turn subnormal', () => {
      // a ≈ σ(−30) per step: the adjoint shrinks by ~1e−13 a step and passes 2⁻¹⁰⁰ ≈ 8e−31 within three.
      const time = 8;
      const pre = tf.tidy(() => tf.concat([tf.fill([1, time, 1], 30), tf.fill([1, time, 1], 0.3)], 2) as tf.Tensor3D);
      const h0 = tf.zeros([1, 1]) as tf.Tensor2D;
      const grads = tf.tidy(() =>
        tf
          .grads((p: tf.Tensor) =>
            tf.sum(
              runKernel(minRnnScan, { pre: p as tf.Tensor3D, h0 }, { reverse: false, gates: 'minGru', candidate: 'g' })
                .hT,
            ),
          )([pre])[0]!
          .dataSync(),
      );
      const tiny = Array.from(grads).filter((g) => g !== 0 && Math.abs(g) < 2 ** -100);
      if (path === 'fused') expect(tiny).toEqual([]);
      expect(Array.from(grads).every(Number.isFinite)).toBe(true);
      tf.dispose([pre, h0]);
    });
  });
});

describe('min-RNN scan kernel inputs', () => {
  checkLeaks();

  const call = (inputs: () => Record<string, unknown>, attrs: unknown) => () =>
    tf.tidy(() => {
      runKernel(minRnnScan, inputs() as never, attrs as never);
    });
  const attrs = { reverse: false, gates: 'minLstm', candidate: 'g' };

  it('should refuse pre-activations whose width is not blocks·H, naming the input', () => {
    const bad = call(() => ({ pre: tf.zeros([2, 3, 8]), h0: tf.zeros([2, 2]) }), attrs);
    expect(bad).toThrow(RecurError);
    expect(bad).toThrow(/RecurMinRnnScan input 'pre': expected a last axis of 3·H for minLstm/);
  });

  it('should name a state or mask that disagrees with pre, and a missing state', () => {
    expect(call(() => ({ pre: tf.zeros([2, 3, 6]), h0: tf.zeros([2, 3]) }), attrs)).toThrow(
      /input 'h0': expected shape \[2, 2\], received a tensor of shape \[2, 3\]/,
    );
    expect(call(() => ({ pre: tf.zeros([2, 3, 6]), h0: tf.zeros([2, 2]), mask: tf.ones([3, 2]) }), attrs)).toThrow(
      /input 'mask'/,
    );
    expect(call(() => ({ pre: tf.zeros([2, 3, 6]) }), attrs)).toThrow(
      /input 'h0': expected a float32 tensor of rank 2/,
    );
  });

  it('should name an unknown gate kind or candidate, and a missing reverse', () => {
    const inputs = () => ({ pre: tf.zeros([1, 1, 4]), h0: tf.zeros([1, 2]) });
    expect(call(inputs, { ...attrs, gates: 'gru' })).toThrow(/attrs\.gates: expected one of minGru, minLstm/);
    expect(call(inputs, { ...attrs, gates: 'minGru', candidate: 'tanh' })).toThrow(/attrs\.candidate/);
    expect(call(inputs, { gates: 'minGru', candidate: 'g' })).toThrow(/attrs\.reverse: expected a boolean/);
  });
});
