import { type RwkvParams, rwkv } from '@recur/cells';
import { type Cell, Rng } from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';
import { randomParams, randomTensor } from './fixtures.js';

/**
 * Random weights (key scaled by `keyScale` to drive k far out) and a carry reached by
 * stepping two random inputs from the empty state: a state the recurrence can produce
 * (den > 0), which a uniformly random carry is not. The caller disposes everything.
 */
export function warmRwkv(
  seed: number,
  opts: { inputSize?: number; units?: number; keyScale?: number; batch?: number } = {},
) {
  const { inputSize = 3, units = 4, keyScale = 1, batch = 2 } = opts;
  const cell = rwkv({ inputSize, units, ffnMultiplier: 1.5 });
  const rng = new Rng(seed);
  const params = randomParams(cell as unknown as Cell, rng) as RwkvParams;
  const scaled = tf.mul(params.key as tf.Tensor, keyScale);
  tf.dispose(params.key as tf.Tensor);
  const p = { ...params, key: scaled } as RwkvParams;
  let carry = cell.initCarry(batch);
  for (let t = 0; t < 2; t++) {
    const x = randomTensor<tf.Rank.R2>([batch, inputSize], rng);
    const next = cell.step(p, carry, x);
    tf.dispose([x, next.y, ...Object.values(carry)]);
    carry = next.carry;
  }
  return { cell, params: p, carry, rng, batch };
}
