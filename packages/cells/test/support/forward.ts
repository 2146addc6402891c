import { Rng } from '@recur/core';
import { expectClose } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import { type AnyStepper, carryRow, randomCarry, randomParams, randomTensor, toRefParams } from './fixtures.js';
import type { Mat, RefStep, Vec } from './reference.js';

/** float32 against float64; the worst error measured over every variant, on cpu and wasm, is 5% of this. */
export const FORWARD_TOLERANCE = { rtol: 1e-5, atol: 1e-6 } as const;

/**
 * Steps `cell` twice from a random carry with random weights and compares every row of
 * every output and carry field with the float64 reference. Leaves no tensor behind.
 */
export function checkForward(cell: AnyStepper, ref: RefStep, seed: number, batch = 3): void {
  const rng = new Rng(seed);
  const params = randomParams(cell, rng);
  const carry0 = randomCarry(cell, batch, rng);
  const xs = [0, 1].map(() => randomTensor<tf.Rank.R2>([batch, cell.inputSize], rng));
  const refParams = toRefParams(params);
  const refCarries = Array.from({ length: batch }, (_, b) => carryRow(carry0, b));
  let carry = carry0;
  for (const x of xs) {
    const out = cell.step(params, carry, x);
    expect(out.y.shape).toEqual([batch, cell.outputSize]);
    const xRows = x.arraySync() as Mat;
    const yRows = out.y.arraySync() as Mat;
    for (let b = 0; b < batch; b++) {
      const expected = ref(refParams, refCarries[b]!, xRows[b] as Vec);
      refCarries[b] = expected.carry;
      expectClose(yRows[b] as Vec, expected.y, FORWARD_TOLERANCE);
      for (const [name, t] of Object.entries(out.carry)) {
        expectClose((t.arraySync() as Mat)[b] as Vec, expected.carry[name] as Vec, FORWARD_TOLERANCE);
      }
    }
    tf.dispose(out.y);
    tf.dispose(Object.values(carry));
    carry = out.carry;
  }
  tf.dispose([...Object.values(carry), ...xs, ...Object.values(params)]);
}
