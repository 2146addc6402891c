/**
 * float64 references for sLSTM and mLSTM, written from the equations of Beck et al. 2024,
 * "xLSTM" (arXiv 2405.04517), sec. 2.2 eqs. (8)–(17) and sec. 2.3 eqs. (19)–(26) with the
 * stabiliser of appendix A.3, looping over scalars; and a finite-difference check of a
 * float32 tfjs loss against the same loss run through a reference.
 */
import { closeness } from '@recur/test-utils';
import type * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

/** Flat float64 copies of named tensors, row-major. */
export type Flat = Record<string, Float64Array>;

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
/** log σ(v) without underflow at v = −60. */
const logSigmoid = (v: number) => (v >= 0 ? -Math.log1p(Math.exp(-v)) : v - Math.log1p(Math.exp(v)));

export interface RefConfig {
  readonly inputSize: number;
  readonly units: number;
  readonly heads: number;
  readonly forgetGate: 'sigmoid' | 'exponential';
  readonly keySize?: number;
}

/** One sLSTM step for batch row `b`, updating `state` (h, c, n, m as `[batch·units]`) in place. */
export function slstmRefStep(cfg: RefConfig, p: Flat, state: Flat, x: Float64Array, b: number): Float64Array {
  const { inputSize: I, units: U, heads: H, forgetGate } = cfg;
  const dh = U / H;
  const pre = (gate: number, j: number) => {
    let s = p.bias![gate * U + j]!;
    for (let r = 0; r < I; r++) s += x[b * I + r]! * p.kernel![r * 4 * U + gate * U + j]!;
    const head = Math.floor(j / dh);
    const col = j % dh;
    for (let r = 0; r < dh; r++) {
      s += state.h![b * U + head * dh + r]! * p.recurrentKernel![head * dh * 4 * dh + r * 4 * dh + gate * dh + col]!;
    }
    return s;
  };
  const hNew = new Float64Array(U);
  const at = (j: number) => b * U + j;
  const gates = Array.from(
    { length: U },
    (_, j) => [0, 1, 2, 3].map((g) => pre(g, j)) as [number, number, number, number],
  );
  gates.forEach(([iT, fT, zT, oT], j) => {
    const logF = forgetGate === 'sigmoid' ? logSigmoid(fT) : fT;
    const mPrev = state.m![at(j)]!;
    const nPrev = state.n![at(j)]!;
    // (15), with the empty state's forget term left out (see slstm.ts).
    const m = nPrev === 0 ? iT : Math.max(logF + mPrev, iT);
    const i = Math.exp(iT - m); // (16)
    const f = nPrev === 0 ? 0 : Math.exp(logF + mPrev - m); // (17)
    const c = f * state.c![at(j)]! + i * Math.tanh(zT); // (8)
    const n = f * nPrev + i; // (9)
    hNew[j] = sigmoid(oT) * (c / n); // (10)
    state.c![at(j)] = c;
    state.n![at(j)] = n;
    state.m![at(j)] = m;
  });
  state.h!.set(hNew, b * U);
  return hNew;
}

/** One mLSTM step for batch row `b`, updating `state` (h, C, n, m) in place. */
export function mlstmRefStep(cfg: RefConfig, p: Flat, state: Flat, x: Float64Array, b: number): Float64Array {
  const { inputSize: I, units: U, heads: H, forgetGate } = cfg;
  const dk = cfg.keySize ?? U / H;
  const dv = U / H;
  const width = 2 * H * dk + 2 * U + 2 * H;
  const col = (c: number) => {
    let s = p.bias![c]!;
    for (let r = 0; r < I; r++) s += x[b * I + r]! * p.kernel![r * width + c]!;
    return s;
  };
  const [oQ, oK, oV, oO, oI, oF] = [0, H * dk, 2 * H * dk, 2 * H * dk + U, 2 * H * dk + 2 * U, 2 * H * dk + 2 * U + H];
  const hNew = new Float64Array(U);
  for (let head = 0; head < H; head++) {
    const q = Array.from({ length: dk }, (_, a) => col(oQ + head * dk + a));
    const k = Array.from({ length: dk }, (_, a) => col(oK + head * dk + a) / Math.sqrt(dk)); // (23)
    const v = Array.from({ length: dv }, (_, a) => col(oV + head * dv + a));
    const iT = col(oI + head);
    const fT = col(oF + head);
    const logF = forgetGate === 'sigmoid' ? logSigmoid(fT) : fT;
    const mAt = b * H + head;
    const mPrev = state.m![mAt]!;
    const m = Math.max(logF + mPrev, iT);
    const i = Math.exp(iT - m);
    const f = Math.exp(logF + mPrev - m);
    let nq = 0;
    for (let a = 0; a < dk; a++) {
      const nAt = mAt * dk + a;
      state.n![nAt] = f * state.n![nAt]! + i * k[a]!; // (20)
      nq += state.n![nAt]! * q[a]!;
      for (let c = 0; c < dv; c++) {
        const cAt = nAt * dv + c;
        state.C![cAt] = f * state.C![cAt]! + i * k[a]! * v[c]!; // (19)
      }
    }
    state.m![mAt] = m;
    const den = Math.max(Math.abs(nq), Math.exp(-m)); // (21), scaled by exp(−m)
    for (let c = 0; c < dv; c++) {
      let num = 0;
      for (let a = 0; a < dk; a++) num += state.C![(mAt * dk + a) * dv + c]! * q[a]!;
      hNew[head * dv + c] = sigmoid(col(oO + head * dv + c)) * (num / den); // (26)
    }
  }
  state.h!.set(hNew, b * U);
  return hNew;
}

export type RefStepFn = typeof slstmRefStep;

/**
 * Σ_t Σ_b w_t[b]·y_t[b] + Σ over the final state of wState·state, in float64, from flat
 * inputs `params.*`, `carry.*` and `xs` (`[batch, time, inputSize]`).
 */
export function refLoss(
  step: RefStepFn,
  cfg: RefConfig,
  inputs: Flat,
  weights: { ys: Float64Array; state: Flat },
  batch: number,
  time: number,
): number {
  const p: Flat = {};
  const state: Flat = {};
  for (const [name, values] of Object.entries(inputs)) {
    if (name.startsWith('params.')) p[name.slice(7)] = values;
    if (name.startsWith('carry.')) state[name.slice(6)] = Float64Array.from(values);
  }
  const xs = inputs.xs!;
  const I = cfg.inputSize;
  let loss = 0;
  for (let t = 0; t < time; t++) {
    const x = new Float64Array(batch * I);
    for (let b = 0; b < batch; b++) x.set(xs.subarray((b * time + t) * I, (b * time + t + 1) * I), b * I);
    for (let b = 0; b < batch; b++) {
      const y = step(cfg, p, state, x, b);
      y.forEach((v, j) => {
        loss += v * weights.ys[(b * time + t) * cfg.units + j]!;
      });
    }
  }
  for (const [name, w] of Object.entries(weights.state)) {
    w.forEach((v, j) => {
      loss += v * state[name]![j]!;
    });
  }
  return loss;
}

/** Runs the reference over `xs` and returns `ys` `[batch·time·units]` and the final state. */
export function refRun(step: RefStepFn, cfg: RefConfig, inputs: Flat, batch: number, time: number) {
  const ys = new Float64Array(batch * time * cfg.units);
  const p: Flat = {};
  const state: Flat = {};
  for (const [name, values] of Object.entries(inputs)) {
    if (name.startsWith('params.')) p[name.slice(7)] = values;
    if (name.startsWith('carry.')) state[name.slice(6)] = Float64Array.from(values);
  }
  const I = cfg.inputSize;
  for (let t = 0; t < time; t++) {
    const x = new Float64Array(batch * I);
    for (let b = 0; b < batch; b++) x.set(inputs.xs!.subarray((b * time + t) * I, (b * time + t + 1) * I), b * I);
    for (let b = 0; b < batch; b++) ys.set(step(cfg, p, state, x, b), (b * time + t) * cfg.units);
  }
  return { ys, state };
}

export function flatten(named: Record<string, tf.Tensor>): Flat {
  return Object.fromEntries(Object.entries(named).map(([k, t]) => [k, Float64Array.from(t.dataSync())]));
}

/** float64 central differences of `loss` at `inputs`, one entry at a time (h = 1e-6). */
export function finiteDifferences(loss: (inputs: Flat) => number, inputs: Flat, name: string): Float64Array {
  const values = inputs[name]!;
  const h = 1e-6;
  return Float64Array.from(values, (v, j) => {
    values[j] = v + h;
    const up = loss(inputs);
    values[j] = v - h;
    const down = loss(inputs);
    values[j] = v;
    return (up - down) / (2 * h);
  });
}

/** Expects tfjs' gradients (by name) to match float64 differences of `loss` within 1e-4. */
export function expectGradients(grads: Record<string, tf.Tensor>, loss: (inputs: Flat) => number, inputs: Flat) {
  for (const [name, g] of Object.entries(grads)) {
    const fd = finiteDifferences(loss, inputs, name);
    const { ok, message } = closeness(g.dataSync(), fd, { rtol: 1e-4, atol: 1e-5 });
    expect(ok, `d loss / d ${name}: ${message}`).toBe(true);
  }
}
