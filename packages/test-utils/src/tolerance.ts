import { isTensor } from '@recur/core';
import type * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

export interface Tolerance {
  /** Relative tolerance, scaled by |expected|. */
  readonly rtol?: number;
  /** Absolute tolerance. */
  readonly atol?: number;
}

type Numeric = tf.Tensor | ArrayLike<number> | number;

function values(x: Numeric): { data: ArrayLike<number>; shape: readonly number[] | null } {
  if (typeof x === 'number') return { data: [x], shape: [] };
  if (isTensor(x)) return { data: x.dataSync() as ArrayLike<number>, shape: x.shape };
  return { data: x, shape: null };
}

/**
 * Largest violation of |a − e| ≤ atol + rtol·|e| over all elements, as a ratio to the
 * allowed error (≤ 1 passes), with the index and values where it happens.
 */
export function closeness(actual: Numeric, expected: Numeric, tol: Tolerance = {}) {
  const { rtol = 1e-5, atol = 1e-6 } = tol;
  const a = values(actual);
  const e = values(expected);
  if (a.shape !== null && e.shape !== null && a.shape.join() !== e.shape.join()) {
    return { ok: false, message: `shape [${a.shape}] differs from expected [${e.shape}]` };
  }
  if (a.data.length !== e.data.length) {
    return { ok: false, message: `length ${a.data.length} differs from expected ${e.data.length}` };
  }
  let worst = 0;
  let at = -1;
  for (let i = 0; i < a.data.length; i++) {
    const av = a.data[i] as number;
    const ev = e.data[i] as number;
    if (Number.isNaN(av) !== Number.isNaN(ev)) return { ok: false, message: `NaN mismatch at ${i}: ${av} vs ${ev}` };
    if (Number.isNaN(av)) continue;
    const ratio = Math.abs(av - ev) / (atol + rtol * Math.abs(ev));
    if (ratio > worst) {
      worst = ratio;
      at = i;
    }
  }
  return {
    ok: worst <= 1,
    message:
      at < 0
        ? 'equal'
        : `worst at flat index ${at}: ${a.data[at]} vs expected ${e.data[at]} (${worst.toFixed(2)}× the tolerance rtol=${rtol}, atol=${atol})`,
  };
}

/** Asserts element-wise closeness; the failure names the worst element. */
export function expectClose(actual: Numeric, expected: Numeric, tol: Tolerance = {}): void {
  const { ok, message } = closeness(actual, expected, tol);
  expect(ok, message).toBe(true);
}
