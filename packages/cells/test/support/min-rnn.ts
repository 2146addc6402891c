/**
 * The min-RNN suite shared by minGRU and minLSTM: float64 references written from the
 * paper's equations (Feng et al. 2024, arXiv 2410.01201, §3.1.3 and §3.2.3, g from
 * Appendix B.3), and the checks that the sequence forms equal stepping.
 */
import type { MinGruConfig } from '@recur/cells';
import { type Carry, type Cell, type Params, RecurError, Rng, scan } from '@recur/core';
import { expectClose } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type { AnyStepper } from './fixtures.js';
import { checkForward } from './forward.js';
import { checkGradients } from './gradcheck.js';
import type { Mat, RefParams, RefStep, Vec } from './reference.js';

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
/** The paper's g (Appendix B.3): x + ½ for x ≥ 0, σ(x) below. */
export const gRef = (v: number) => (v >= 0 ? v + 0.5 : sigmoid(v));

/** Pre-activations x·W + b split into `blocks` blocks of `hidden`. */
function blocksOf(p: RefParams, x: Vec, blocks: number): Vec[] {
  const kernel = p.kernel as Mat;
  const width = (kernel[0] as Vec).length;
  const bias = p.bias as Vec | undefined;
  const pre = Array.from({ length: width }, (_, j) =>
    x.reduce((s, xi, i) => s + xi * (kernel[i] as Vec)[j]!, bias?.[j] ?? 0),
  );
  const hidden = width / blocks;
  return Array.from({ length: blocks }, (_, k) => pre.slice(k * hidden, (k + 1) * hidden));
}

function output(p: RefParams, h: Vec): Vec {
  const w = p.outputKernel as Mat | undefined;
  if (w === undefined) return h;
  return Array.from({ length: (w[0] as Vec).length }, (_, j) => h.reduce((s, hi, i) => s + hi * (w[i] as Vec)[j]!, 0));
}

/** minGRU, eq. 3.1.3a–c: z = σ(k_z), h̃ = g(k_h), h = (1 − z) h + z h̃. */
export function minGruRef(candidate: (v: number) => number): RefStep {
  return (p, carry, x) => {
    const [kz, kh] = blocksOf(p, x, 2) as [Vec, Vec];
    const h = kz.map((k, j) => {
      const z = sigmoid(k);
      return (1 - z) * carry.h![j]! + z * candidate(kh[j]!);
    });
    return { carry: { h }, y: output(p, h) };
  };
}

/** minLSTM, eq. 3.2.3a–d, literally: f′ = f/(f + i), i′ = i/(f + i), h = f′ h + i′ g(k_h). */
export function minLstmRef(candidate: (v: number) => number): RefStep {
  return (p, carry, x) => {
    const [kf, ki, kh] = blocksOf(p, x, 3) as [Vec, Vec, Vec];
    const h = kf.map((k, j) => {
      const f = sigmoid(k);
      const i = sigmoid(ki[j]!);
      return (f / (f + i)) * carry.h![j]! + (i / (f + i)) * candidate(kh[j]!);
    });
    return { carry: { h }, y: output(p, h) };
  };
}

/** The configs every min-RNN test runs (the cell's own kind added by the caller). */
export const MIN_VARIANTS: readonly { readonly name: string; readonly config: Partial<MinGruConfig> }[] = [
  { name: 'defaults (g, linear scan)', config: {} },
  { name: 'log-space scan', config: { parallel: 'log' } },
  { name: 'expansion 2 with output projection', config: { expansion: 2 } },
  { name: 'expansion 1.5, log-space scan', config: { expansion: 1.5, parallel: 'log' } },
  { name: 'linear candidate, no bias', config: { candidate: 'linear', useBias: false } },
];

/** The same cell without its sequence form: `scan` steps it. */
export function steppedOnly(cell: AnyStepper): AnyStepper {
  const stepped = { ...cell };
  delete (stepped as { sequence?: unknown }).sequence;
  return stepped;
}

function uniform(shape: number[], rng: Rng, scale = 1): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from({ length: size }, () => (2 * rng.uniform() - 1) * scale),
    shape,
  );
}

export interface SequenceCase {
  readonly time: number;
  readonly reverse: boolean;
  readonly maskedOutput: 'zeros' | 'previous';
  readonly masked: boolean;
  readonly initialState: boolean;
}

export const SEQUENCE_CASES: readonly SequenceCase[] = [
  { time: 1, reverse: false, maskedOutput: 'previous', masked: false, initialState: false },
  { time: 1, reverse: true, maskedOutput: 'zeros', masked: true, initialState: true },
  { time: 7, reverse: false, maskedOutput: 'previous', masked: true, initialState: true },
  { time: 7, reverse: true, maskedOutput: 'zeros', masked: true, initialState: true },
  { time: 7, reverse: true, maskedOutput: 'previous', masked: true, initialState: false },
  { time: 8, reverse: false, maskedOutput: 'zeros', masked: false, initialState: true },
];

const FORWARD = { rtol: 1e-5, atol: 1e-5 };
const GRADIENT = { rtol: 1e-4, atol: 1e-4 };

/**
 * Runs `a` and `b` through `scan` on the same random data and compares outputs, final
 * state and the gradients of a weighted sum of both with respect to xs, every param
 * and the initial state.
 */
export function expectSameSequences(a: AnyStepper, b: AnyStepper, c: SequenceCase, seed: number): void {
  const rng = new Rng(seed);
  const batch = 3;
  tf.tidy(() => {
    const params = a.init(rng);
    const randomised = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, uniform(v.shape, rng, 0.8)]));
    const xs = uniform([batch, c.time, a.inputSize], rng) as tf.Tensor3D;
    const zero = a.initCarry(batch);
    // Positive and negative states: the log-space form must take any h0.
    const h0 = uniform(zero.h!.shape, rng, 0.8) as tf.Tensor2D;
    const rows = [
      [0, 1, 1, 0, 1, 1, 0, 1],
      [1, 1, 0, 0, 0, 0, 0, 0],
      [0, 0, 1, 1, 0, 1, 1, 1],
    ].map((r) => r.slice(0, c.time));
    const mask = tf.tensor2d(rows);
    const weights = uniform([batch, c.time, a.outputSize], rng);
    const stateWeights = uniform(zero.h!.shape, rng);
    const run = (cell: AnyStepper) => {
      const loss = (x: tf.Tensor, ...rest: tf.Tensor[]) => {
        const [h, ...ps] = c.initialState ? rest : [undefined, ...rest];
        const p = Object.fromEntries(Object.keys(randomised).map((k, i) => [k, ps[i]!])) as Params;
        const { outputs, state } = scan(cell as Cell<Carry, Params>, p, x as tf.Tensor3D, {
          reverse: c.reverse,
          maskedOutput: c.maskedOutput,
          returnState: true,
          ...(c.masked ? { mask } : {}),
          ...(h === undefined ? {} : { initialState: { h } }),
        });
        return tf.add(tf.sum(tf.mul(outputs, weights)), tf.sum(tf.mul(state!.h!, stateWeights))) as tf.Scalar;
      };
      const { value, grads } = tf.valueAndGrads(loss)([
        xs,
        ...(c.initialState ? [h0] : []),
        ...Object.values(randomised),
      ]);
      return { value, grads };
    };
    const x = run(a);
    const y = run(b);
    expectClose(x.value, y.value, FORWARD);
    x.grads.forEach((g, i) => {
      expectClose(g, y.grads[i]!, GRADIENT);
    });
    const outA = scan(a, randomised, xs, { reverse: c.reverse, ...(c.masked ? { mask } : {}), returnState: true });
    const outB = scan(b, randomised, xs, { reverse: c.reverse, ...(c.masked ? { mask } : {}), returnState: true });
    expectClose(outA.outputs, outB.outputs, FORWARD);
    expectClose(outA.state!.h!, outB.state!.h!, FORWARD);
    expect(outA.outputs.shape).toEqual([batch, c.time, a.outputSize]);
  });
}

/**
 * The tests every min-RNN passes, for `make(config)` (inputSize 3, units 4 plus `config`)
 * and its float64 reference: the step against the paper, gradients against central
 * differences, both sequence forms against stepping and against each other, config errors.
 */
export function minRnnSuite(
  kind: string,
  make: (config: object) => AnyStepper,
  reference: (candidate: (v: number) => number) => RefStep,
): void {
  const build = (config: object) => make({ inputSize: 3, units: 4, ...config });
  const refOf = (config: { candidate?: string }) => reference(config.candidate === 'linear' ? (v) => v : gRef);

  describe('step', () => {
    it.each(MIN_VARIANTS)('should match the float64 reference of the paper: $name', ({ config }) => {
      checkForward(build(config), refOf(config), 61);
    });
  });

  describe('gradients', () => {
    it.each(MIN_VARIANTS)('should match float64 central differences: $name', ({ config }) => {
      checkGradients(build(config), refOf(config), 62);
    });
  });

  describe('sequence', () => {
    describe.each(MIN_VARIANTS)('$name', ({ config }) => {
      it.each(SEQUENCE_CASES)(
        'should equal stepping (forward and gradients): T $time, reverse $reverse, $maskedOutput, mask $masked, h0 $initialState',
        (c) => {
          const cell = build(config);
          expectSameSequences(cell, steppedOnly(cell), c, 63);
        },
      );
    });

    it.each(SEQUENCE_CASES)(
      'should give the same from the linear and the log-space scan: T $time, reverse $reverse, mask $masked',
      (c) => {
        expectSameSequences(build({ parallel: 'linear' }), build({ parallel: 'log' }), c, 64);
      },
    );
  });

  describe('config', () => {
    it('should fill in the defaults and size the state by the expansion factor', () => {
      const cell = build({ expansion: 2 });
      expect(cell.config).toMatchObject({ expansion: 2, parallel: 'linear', candidate: 'g', useBias: true });
      const params = cell.init(new Rng(1));
      expect(params.outputKernel?.shape).toEqual([8, 4]);
      const carry = cell.initCarry(2);
      expect(carry.h?.shape).toEqual([2, 8]);
      tf.dispose([params, carry] as tf.TensorContainer[]);
    });

    it.each([
      [{ units: 0 }, /config\.units: expected a positive integer/],
      [{ expansion: 0.3 }, /config\.expansion: expected a factor making units/],
      [{ expansion: -1 }, /config\.expansion: expected a positive finite number/],
      [{ parallel: 'fast' }, /config\.parallel: expected one of 'linear', 'log'/],
      [{ parallel: 'log', candidate: 'linear' }, /config\.candidate: expected 'g' with parallel: 'log'/],
      [{ useBias: 1 }, /config\.useBias: expected a boolean/],
      [{ unit: 3 }, /config\.unit: expected one of the known fields/],
    ])('should reject a bad config with RecurError BAD_CONFIG: %o', (config, message) => {
      let error: unknown;
      try {
        build(config);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(RecurError);
      expect((error as RecurError).code).toBe('BAD_CONFIG');
      expect((error as RecurError).message).toMatch(new RegExp(`^${kind} ${message.source}`));
    });

    it('should reject params of the wrong shape through scan, naming them', () => {
      const cell = build({});
      const bad = { kernel: tf.zeros([3, 4]) };
      const xs = tf.zeros([2, 3, 3]) as tf.Tensor3D;
      expect(() => scan(cell, bad, xs)).toThrow(new RegExp(`^${kind} step params\\.kernel: expected a float32 tensor`));
      tf.dispose([bad.kernel, xs]);
    });
  });
}
