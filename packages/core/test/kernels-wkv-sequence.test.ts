/**
 * `RecurWkvSequence` against RWKV-4's WKV recurrence written directly from the paper
 * (Peng et al. 2023, arXiv 2305.13048, eqs. 14–16 and §4.1's recurrent form) in float64,
 * in true scale: N_t = e^{−w} N_{t−1} + e^{k_t} v_t, D_t likewise, and
 * wkv_t = (N_{t−1} + e^{u+k_t} v_t) / (D_{t−1} + e^{u+k_t}). Float64 holds e^{±120}, so
 * the oracle needs no stabiliser and checks the kernel's one; its running max is tracked
 * only to read the final state out as the kernel reports it (num·e^max = N).
 */
import { hasFusedKernel, RecurError, Rng, runKernel, wkvSequence } from '@recur/core';
import { checkLeaks, describeBackends, expectClose } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { useReferenceKernels } from './kernels-cases.js';
import { finiteDifferences, holes, leadingPadding } from './kernels-scan-oracle.js';

interface Problem {
  readonly batch: number;
  readonly time: number;
  readonly channels: number;
  readonly reverse: boolean;
  readonly mask?: Float64Array;
}
type Values = Record<'k' | 'v' | 'w' | 'u', Float64Array> & Partial<Record<'num0' | 'den0' | 'max0', Float64Array>>;

/** The paper's recurrence in float64: outputs by input time, the final state as (num, den, max). */
function oracle(p: Problem, x: Values) {
  const { batch: B, time: T, channels: C } = p;
  const wkv = new Float64Array(B * T * C);
  const [numT, denT, maxT] = [new Float64Array(B * C), new Float64Array(B * C), new Float64Array(B * C)];
  for (let b = 0; b < B; b++) {
    for (let c = 0; c < C; c++) {
      const i = b * C + c;
      let m = x.max0?.[i] ?? -1e38;
      let N = (x.num0?.[i] ?? 0) * Math.exp(m);
      let D = (x.den0?.[i] ?? 0) * Math.exp(m);
      const w = x.w[c] as number;
      const u = x.u[c] as number;
      for (let s = 0; s < T; s++) {
        const t = p.reverse ? T - 1 - s : s;
        if (p.mask !== undefined && p.mask[b * T + t] === 0) continue;
        const o = (b * T + t) * C + c;
        const [k, v] = [x.k[o] as number, x.v[o] as number];
        wkv[o] = (N + Math.exp(u + k) * v) / (D + Math.exp(u + k)); // eq. 16 over the state
        N = Math.exp(-w) * N + Math.exp(k) * v;
        D = Math.exp(-w) * D + Math.exp(k);
        m = Math.max(m - w, k);
      }
      // A row with no real step keeps its initial state exactly (e^{1e38} would overflow).
      const untouched = m === (x.max0?.[i] ?? -1e38) && m < -1e37;
      numT[i] = untouched ? (x.num0?.[i] ?? 0) : N * Math.exp(-m);
      denT[i] = untouched ? (x.den0?.[i] ?? 0) : D * Math.exp(-m);
      maxT[i] = m;
    }
  }
  return [wkv, numT, denT, maxT];
}

const NAMES = ['k', 'v', 'w', 'u', 'num0', 'den0', 'max0'] as const;

interface Scenario {
  readonly shape: [number, number, number];
  readonly reverse?: boolean;
  readonly initial?: boolean;
  readonly mask?: (batch: number, time: number) => Float64Array;
  /** Half-width of keys and bonuses: 60 drives every exponential far past float32. */
  readonly keys?: number;
}

function expectMatchesOracle(s: Scenario, seed: number): void {
  const rng = new Rng(seed);
  const [batch, time, channels] = s.shape;
  const draw = (size: number, low: number, high: number) =>
    Float64Array.from(rng.fillUniform(new Float32Array(size), low, high));
  const keys = s.keys ?? 3;
  const steps = batch * time * channels;
  const values: Values = {
    k: draw(steps, -keys, keys),
    v: draw(steps, -1, 1),
    w: draw(channels, 0.05, 2),
    u: draw(channels, -keys / 3, keys / 3),
    ...(s.initial
      ? {
          num0: draw(batch * channels, -1, 1),
          den0: draw(batch * channels, 0.2, 2),
          max0: draw(batch * channels, -2, 2),
        }
      : {}),
  };
  const mask = s.mask?.(batch, time);
  const problem: Problem = { batch, time, channels, reverse: s.reverse ?? false, ...(mask ? { mask } : {}) };
  const shapes = { k: s.shape, v: s.shape, w: [channels], u: [channels] } as Record<string, number[]>;
  const given = Object.fromEntries(
    Object.entries(values).map(([name, x]) => [
      name,
      tf.tensor(Float32Array.from(x), shapes[name] ?? [batch, channels]),
    ]),
  );
  if (mask) given.mask = tf.tensor2d(Float32Array.from(mask), [batch, time]);
  const probes = [
    draw(steps, -1, 1),
    draw(batch * channels, -1, 1),
    draw(batch * channels, -1, 1),
    draw(batch * channels, -1, 1),
  ];
  const names = NAMES.filter((name) => values[name] !== undefined);
  const attrs = { reverse: problem.reverse };
  const [outputs, grads] = tf.tidy(() => {
    const r = probes.map((p, i) => tf.tensor(Float32Array.from(p), i === 0 ? s.shape : [batch, channels]));
    const outputsOf = (inputs: Record<string, tf.Tensor>) => {
      const o = runKernel(wkvSequence, inputs as never, attrs);
      return [o.wkv, o.numT, o.denT, o.maxT];
    };
    const loss = (...xs: tf.Tensor[]) => {
      const outs = outputsOf({ ...given, ...Object.fromEntries(names.map((n, i) => [n, xs[i] as tf.Tensor])) });
      // An empty row's max stays −1e38: it carries no gradient but would swamp the sum.
      return tf.addN(outs.map((o, i) => tf.sum(tf.mul(tf.maximum(o, -1e3), r[i] as tf.Tensor)))) as tf.Scalar;
    };
    const read = (ts: tf.Tensor[]) => ts.map((t) => Array.from(t.dataSync()));
    return [read(outputsOf(given)), read(tf.grads(loss)(names.map((n) => given[n] as tf.Tensor)))];
  });
  tf.dispose(Object.values(given));

  const expected = oracle(problem, values);
  for (const [i, out] of outputs.entries()) {
    expect(out.every(Number.isFinite), 'finite outputs').toBe(true);
    expectClose(out, Array.from(expected[i] as Float64Array), { rtol: 1e-5, atol: 1e-5 });
  }
  const readOut = (x: Values) =>
    oracle(problem, x).reduce(
      (sum, out, i) => sum + out.reduce((acc, o, j) => acc + Math.max(o, -1e3) * (probes[i]?.[j] as number), 0),
      0,
    );
  names.forEach((name, i) => {
    const fd = finiteDifferences(values[name] as Float64Array, (x) => readOut({ ...values, [name]: x }), 1e-5);
    const gradient = grads[i] as number[];
    expect(gradient.every(Number.isFinite), `${name}: finite gradient`).toBe(true);
    expectClose(gradient, Array.from(fd), { rtol: 1e-3, atol: 1e-3 });
  });
}

const SCENARIOS: [string, Scenario][] = [
  ['one step', { shape: [2, 1, 3] }],
  ['odd length from an initial state', { shape: [2, 7, 4], initial: true }],
  ['reversed with padding anywhere', { shape: [3, 6, 5], mask: holes, reverse: true }],
  ['leading padding from an initial state', { shape: [3, 4, 2], mask: leadingPadding, initial: true }],
  ['keys and bonuses of ±60 (stabiliser)', { shape: [2, 5, 3], keys: 60, initial: true, mask: holes }],
];

describeBackends('wkv-sequence kernel', (backend) => {
  checkLeaks();

  describe.each(['fused', 'reference'] as const)('%s', (path) => {
    if (path === 'reference') useReferenceKernels();

    it('should run the path under test', () => {
      expect(hasFusedKernel(wkvSequence)).toBe(path === 'fused' && ['cpu', 'wasm'].includes(backend.name));
    });

    it.each(SCENARIOS)('should equal the paper’s recurrence in float64 and its finite differences: %s', (_n, s) => {
      expectMatchesOracle(s, 11);
    });
  });
});

describe('wkv-sequence kernel inputs', () => {
  checkLeaks();

  const call =
    (inputs: () => Record<string, unknown>, attrs: unknown = { reverse: false }) =>
    () =>
      tf.tidy(() => {
        runKernel(wkvSequence, inputs() as never, attrs as never);
      });
  const base = () => ({ k: tf.zeros([2, 3, 4]), v: tf.zeros([2, 3, 4]), w: tf.ones([4]), u: tf.zeros([4]) });

  it('should name the input that does not fit', () => {
    expect(call(() => ({ ...base(), v: tf.zeros([2, 3, 5]) }))).toThrow(RecurError);
    expect(call(() => ({ ...base(), v: tf.zeros([2, 3, 5]) }))).toThrow(
      /RecurWkvSequence input 'v': expected shape \[2, 3, 4\]/,
    );
    expect(call(() => ({ ...base(), w: tf.ones([3]) }))).toThrow(/input 'w'/);
    expect(call(() => ({ ...base(), k: tf.zeros([2, 3]) }))).toThrow(/input 'k': expected a float32 tensor of rank 3/);
    expect(call(() => ({ ...base(), mask: tf.ones([3, 2]) }))).toThrow(/input 'mask'/);
    expect(call(() => base(), {})).toThrow(/attrs\.reverse: expected a boolean/);
  });

  it('should refuse part of an initial state', () => {
    expect(call(() => ({ ...base(), num0: tf.zeros([2, 4]) }))).toThrow(/num0, den0 and max0 together/);
    const state = () => ({ num0: tf.zeros([2, 4]), den0: tf.zeros([2, 4]), max0: tf.zeros([2, 5]) });
    expect(call(() => ({ ...base(), ...state() }))).toThrow(/input 'max0'/);
  });
});
