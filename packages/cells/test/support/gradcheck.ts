/**
 * Gradient check: tfjs's reverse-mode gradients (float32) of a scalar loss over a few
 * unrolled steps, against central differences of the same loss computed by the float64
 * JavaScript reference (`reference.ts`).
 *
 * Why float64 differences: in float32 a central difference with step h carries a
 * rounding error of about ε₃₂·|L|/h ≈ 1e-5 for h = 1e-2, the same size as many gradient
 * entries, so the tolerance would have to be loose enough to hide real bugs. In float64
 * with h = 1e-6 both the truncation (h²) and rounding (ε₆₄/h) errors are below 1e-9, so
 * what remains is tfjs's own float32 error and the tolerance can be tight.
 */
import { type Carry, Rng } from '@recur/core';
import { closeness } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import { type AnyStepper, randomCarry, randomParams, randomTensor } from './fixtures.js';
import type { Mat, RefParams, RefStep, Vec } from './reference.js';

const STEPS = 3;
const BATCH = 2;
const FD_STEP = 1e-6;
/** The worst error measured over every variant, on cpu and wasm, is 5% of this. */
export const GRAD_TOLERANCE = { rtol: 1e-4, atol: 1e-6 } as const;

interface Input {
  readonly name: string;
  readonly shape: readonly number[];
  readonly values: Float64Array;
}

function unflatten(values: Float64Array, shape: readonly number[]): Vec | Mat {
  if (shape.length === 1) return Array.from(values);
  const [rows, cols] = shape as [number, number];
  return Array.from({ length: rows }, (_, r) => Array.from(values.subarray(r * cols, (r + 1) * cols)));
}

/** Σ_t Σ_b w_t[b]·y_t[b] over `STEPS` steps, in float64, from flat inputs (params, carry, xs, in that order). */
function referenceLoss(ref: RefStep, inputs: readonly Input[], paramCount: number, carryCount: number, w: Mat[]) {
  const params: Record<string, Vec | Mat> = {};
  for (const input of inputs.slice(0, paramCount)) params[input.name] = unflatten(input.values, input.shape);
  const carry0 = inputs.slice(paramCount, paramCount + carryCount);
  const xs = inputs.slice(paramCount + carryCount).map((x) => unflatten(x.values, x.shape) as Mat);
  let loss = 0;
  for (let b = 0; b < BATCH; b++) {
    let carry = Object.fromEntries(carry0.map((c) => [c.name, (unflatten(c.values, c.shape) as Mat)[b] as Vec]));
    for (let t = 0; t < STEPS; t++) {
      const out = ref(params as RefParams, carry, (xs[t] as Mat)[b] as Vec);
      carry = out.carry;
      out.y.forEach((yj, j) => {
        loss += yj * ((w[t] as Mat)[b] as Vec)[j]!;
      });
    }
  }
  return loss;
}

interface TfSide {
  readonly inputs: Input[];
  readonly tfGrads: number[][];
  readonly paramCount: number;
  readonly carryCount: number;
  readonly weights: Mat[];
}

/**
 * Checks d loss / d(every param, every initial carry field, every input step) for
 * `cell` at random weights from `seed`. Leaves no tensor behind.
 */
export function checkGradients(cell: AnyStepper, ref: RefStep, seed: number): void {
  const rng = new Rng(seed);
  let side: TfSide | undefined;
  // Assigned rather than returned: tf.tidy's result type allows no Float64Array.
  tf.tidy(() => {
    const params = randomParams(cell, rng);
    const carry0 = randomCarry(cell, BATCH, rng);
    const xs = Array.from({ length: STEPS }, () => randomTensor<tf.Rank.R2>([BATCH, cell.inputSize], rng));
    const w = Array.from({ length: STEPS }, () => randomTensor<tf.Rank.R2>([BATCH, cell.outputSize], rng));
    const pNames = Object.keys(params);
    const cNames = Object.keys(carry0);
    const named: [string, tf.Tensor][] = [
      ...pNames.map((n) => [`params.${n}`, params[n] as tf.Tensor] as [string, tf.Tensor]),
      ...cNames.map((n) => [n, carry0[n] as tf.Tensor] as [string, tf.Tensor]),
      ...xs.map((x, t) => [`x[${t}]`, x] as [string, tf.Tensor]),
    ];
    const loss = (...ts: tf.Tensor[]) => {
      const p = Object.fromEntries(pNames.map((n, k) => [n, ts[k] as tf.Tensor]));
      let carry: Carry = Object.fromEntries(cNames.map((n, k) => [n, ts[pNames.length + k] as tf.Tensor]));
      let total: tf.Scalar = tf.scalar(0);
      for (let t = 0; t < STEPS; t++) {
        const out = cell.step(p, carry, ts[pNames.length + cNames.length + t] as tf.Tensor2D);
        carry = out.carry;
        total = tf.add(total, tf.sum(tf.mul(out.y, w[t] as tf.Tensor2D)));
      }
      return total;
    };
    const grads = tf.grads(loss)(named.map(([, t]) => t));
    side = {
      inputs: named.map(([name, t]) => ({
        name: name.replace(/^params\./, ''),
        shape: t.shape,
        values: Float64Array.from(t.dataSync()),
      })),
      tfGrads: grads.map((g) => Array.from(g.dataSync())),
      paramCount: pNames.length,
      carryCount: cNames.length,
      weights: w.map((t) => t.arraySync() as Mat),
    };
  });
  const { inputs, tfGrads, paramCount, carryCount, weights } = side!;

  const lossAt = () => referenceLoss(ref, inputs, paramCount, carryCount, weights);
  inputs.forEach((input, k) => {
    const fd = Array.from(input.values, (v, j) => {
      input.values[j] = v + FD_STEP;
      const up = lossAt();
      input.values[j] = v - FD_STEP;
      const down = lossAt();
      input.values[j] = v;
      return (up - down) / (2 * FD_STEP);
    });
    const label =
      k < paramCount ? `params.${input.name}` : k < paramCount + carryCount ? `carry.${input.name}` : input.name;
    const { ok, message } = closeness(tfGrads[k] as number[], fd, GRAD_TOLERANCE);
    expect(ok, `d loss / d ${label}: ${message}`).toBe(true);
    // A parameter the loss ignores would pass the comparison trivially (0 = 0).
    expect(Math.max(...fd.map(Math.abs)), `d loss / d ${label} is all zeros`).toBeGreaterThan(1e-3);
  });
}
