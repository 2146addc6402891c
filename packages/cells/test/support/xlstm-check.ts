/**
 * Checks shared by the sLSTM and mLSTM tests: stepping a cell against its float64
 * reference (forward and gradients), and a sequence form against stepping.
 */
import { type Carry, type Cell, type Params, Rng, type ScanOptions, scan } from '@recur/core';
import { expectClose } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expectGradients, flatten, type RefConfig, type RefStepFn, refLoss, refRun } from './xlstm-reference.js';

export type AnyXlstm = Cell<Carry, Params, unknown>;

/** Values in [lo, hi]. The caller owns the tensor. */
export function uniform(shape: number[], rng: Rng, lo = -1, hi = 1): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from({ length: size }, () => lo + (hi - lo) * rng.uniform()),
    shape,
  );
}

/** Σ w·y over steps + Σ w·state, stepping `cell` with tfjs. */
function stepLoss(cell: AnyXlstm, named: Record<string, tf.Tensor>, w: Record<string, tf.Tensor>): tf.Scalar {
  const p: Record<string, tf.Tensor> = {};
  let carry: Record<string, tf.Tensor> = {};
  for (const [name, t] of Object.entries(named)) {
    if (name.startsWith('params.')) p[name.slice(7)] = t;
    if (name.startsWith('carry.')) carry[name.slice(6)] = t;
  }
  const xs = named.xs as tf.Tensor3D;
  const [batch, time, inputSize] = xs.shape;
  let loss = tf.scalar(0);
  for (let t = 0; t < time; t++) {
    const x = tf.reshape(tf.slice(xs, [0, t, 0], [batch, 1, inputSize]), [batch, inputSize]) as tf.Tensor2D;
    const out = cell.step(p, carry, x);
    carry = out.carry;
    const wy = tf.reshape(tf.slice(w.ys!, [0, t, 0], [batch, 1, cell.outputSize]), [batch, cell.outputSize]);
    loss = tf.add(loss, tf.sum(tf.mul(out.y, wy)));
  }
  for (const [name, wt] of Object.entries(w)) {
    if (name !== 'ys') loss = tf.add(loss, tf.sum(tf.mul(carry[name]!, wt)));
  }
  return loss;
}

/**
 * Steps `cell` over `named` (`params.*`, `carry.*`, `xs`) and compares outputs, the
 * final state and the gradient of every input but `constants` (an empty state, where the
 * reference's branch on n = 0 has no derivative) with the float64 reference. Disposes nothing
 * of the caller's; leaves nothing behind.
 */
export function checkStepAgainstReference(
  cell: AnyXlstm,
  refStep: RefStepFn,
  cfg: RefConfig,
  named: Record<string, tf.Tensor>,
  seed: number,
  constants: readonly string[] = [],
): void {
  const rng = new Rng(seed);
  const xs = named.xs as tf.Tensor3D;
  const [batch, time] = xs.shape;
  const flat = flatten(named);
  const w: Record<string, tf.Tensor> = { ys: uniform([batch, time, cell.outputSize], rng) };
  for (const [name, t] of Object.entries(named)) {
    if (name.startsWith('carry.')) w[name.slice(6)] = uniform(t.shape, rng);
  }
  const wFlat = flatten(w);
  const ref = refRun(refStep, cfg, flat, batch, time);
  tf.tidy(() => {
    // Forward: the outputs (through the weights' gradient) and the final state.
    const names = Object.keys(named).filter((n) => !constants.includes(n));
    const { value, grads } = tf.valueAndGrads((...ts: tf.Tensor[]) =>
      stepLoss(cell, { ...named, ...Object.fromEntries(names.map((n, k) => [n, ts[k]!])) }, w),
    )(names.map((n) => named[n]!));
    const yGrad = tf.grad((wy: tf.Tensor) => stepLoss(cell, named, { ys: wy }))(w.ys!);
    expectClose(yGrad, ref.ys, { rtol: 1e-5, atol: 1e-6 });
    const stateWeights = {
      ys: wFlat.ys!,
      state: Object.fromEntries(Object.entries(wFlat).filter(([k]) => k !== 'ys')),
    };
    expectClose(value, refLoss(refStep, cfg, flat, stateWeights, batch, time), { rtol: 1e-5, atol: 1e-5 });
    expectGradients(
      Object.fromEntries(names.map((n, k) => [n, grads[k]!])),
      (inputs) => refLoss(refStep, cfg, inputs, stateWeights, batch, time),
      flat,
    );
  });
  tf.dispose(w);
}

/** `cell` without its sequence form, so `scan` steps it. */
export function stepped(cell: AnyXlstm): AnyXlstm {
  const copy: AnyXlstm = { ...cell };
  delete (copy as { sequence?: unknown }).sequence;
  return copy;
}

/**
 * `scan` through `cell`'s sequence form against `scan` stepping it, with `options`:
 * outputs and final state within 1e-5, gradients of a weighted sum of both (params,
 * initial state but `constants`, xs) within 1e-4.
 */
export function checkSequenceAgainstSteps(
  cell: AnyXlstm,
  params: Params,
  xs: tf.Tensor3D,
  initialState: Carry,
  options: Omit<ScanOptions<Carry>, 'initialState'>,
  seed: number,
  constants: readonly string[] = [],
): void {
  const rng = new Rng(seed);
  const byStep = stepped(cell);
  tf.tidy(() => {
    const full = { ...options, initialState, returnSequences: true, returnState: true } as const;
    const a = scan(cell, params, xs, full);
    const b = scan(byStep, params, xs, full);
    expectClose(a.outputs, b.outputs, { rtol: 1e-5, atol: 1e-5 });
    for (const key of Object.keys(initialState)) {
      expectClose(a.state?.[key] as tf.Tensor, b.state?.[key] as tf.Tensor, { rtol: 1e-5, atol: 1e-5 });
    }
    const wy = uniform(a.outputs.shape, rng);
    const ws = Object.fromEntries(Object.entries(initialState).map(([k, v]) => [k, uniform(v.shape, rng)]));
    const pNames = Object.keys(params);
    const sNames = Object.keys(initialState).filter((n) => !constants.includes(n));
    const lossOf =
      (c: AnyXlstm) =>
      (...ts: tf.Tensor[]) => {
        const p = Object.fromEntries(pNames.map((n, k) => [n, ts[k]!]));
        const s = { ...initialState, ...Object.fromEntries(sNames.map((n, k) => [n, ts[pNames.length + k]!])) };
        const out = scan(c, p, ts[ts.length - 1] as tf.Tensor3D, { ...full, initialState: s });
        let loss = tf.sum(tf.mul(out.outputs, wy));
        for (const n of Object.keys(ws)) loss = tf.add(loss, tf.sum(tf.mul(out.state![n]!, ws[n]!)));
        return loss as tf.Scalar;
      };
    const inputs = [...pNames.map((n) => params[n]!), ...sNames.map((n) => initialState[n]!), xs];
    const ga = tf.grads(lossOf(cell))(inputs);
    const gb = tf.grads(lossOf(byStep))(inputs);
    ga.forEach((g, k) => {
      expectClose(g, gb[k]!, { rtol: 1e-4, atol: 1e-5 });
    });
  });
}
