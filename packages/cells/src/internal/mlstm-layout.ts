/**
 * mLSTM's weight layout and carry shapes (see `mlstm.ts`): the blocks of `x·W + b`, in
 * order q, k, v, o, ĩ, f̃, and the check of a carry whose entries have ranks 2 to 4.
 */
import { RecurError } from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';
import { xlstmForgetBias } from './xlstm.js';

export interface MlstmLayout {
  readonly heads: number;
  readonly dk: number;
  readonly dv: number;
  readonly units: number;
}

/** The blocks of `pre` (`[...lead, width]` flattened over `lead`), each shaped `[...lead, ...]`. */
export function mlstmSplit(pre: tf.Tensor, lead: readonly number[], { heads, dk, dv, units }: MlstmLayout) {
  const [q, k, v, o, iTilde, fTilde] = tf.split(pre, [heads * dk, heads * dk, units, units, heads, heads], -1) as [
    tf.Tensor,
    tf.Tensor,
    tf.Tensor,
    tf.Tensor,
    tf.Tensor,
    tf.Tensor,
  ];
  return {
    q: tf.reshape(q, [...lead, heads, dk]),
    // eq. (23): keys scaled by 1/√dk, so q·k stays O(1) as dk grows (as in attention).
    k: tf.reshape(tf.mul(k, 1 / Math.sqrt(dk)), [...lead, heads, dk]),
    v: tf.reshape(v, [...lead, heads, dv]),
    o: tf.reshape(o, [...lead, units]),
    iTilde: tf.reshape(iTilde, [...lead, heads]),
    fTilde: tf.reshape(fTilde, [...lead, heads]),
  };
}

/** Zeros, but the forget block from `xlstmForgetBias`. */
export function mlstmBias({ heads, dk, units }: MlstmLayout): tf.Tensor1D {
  return tf.tidy(() =>
    tf.concat([tf.zeros([2 * heads * dk + 2 * units + heads]), xlstmForgetBias(heads)]),
  ) as tf.Tensor1D;
}

/** Throws `SHAPE_MISMATCH` naming the entry unless `carry` is `{ h, C, n, m }` for `batch`. */
export function checkMlstmCarry(kind: string, carry: unknown, layout: MlstmLayout, batch: number): void {
  const { heads, dk, dv, units } = layout;
  const expected: Record<string, number[]> = {
    h: [batch, units],
    C: [batch, heads, dk, dv],
    n: [batch, heads, dk],
    m: [batch, heads],
  };
  for (const [name, shape] of Object.entries(expected)) {
    const value = (carry as Record<string, unknown> | null | undefined)?.[name] as tf.Tensor | undefined;
    const ok =
      value !== null &&
      typeof value === 'object' &&
      Array.isArray(value.shape) &&
      value.dtype === 'float32' &&
      value.shape.join() === shape.join();
    if (!ok) {
      const got = Array.isArray(value?.shape)
        ? `a ${value.dtype} tensor of shape [${value.shape.join(', ')}]`
        : String(value);
      throw new RecurError(
        'SHAPE_MISMATCH',
        `${kind} step carry.${name}: expected a float32 tensor of shape [${shape.join(', ')}] (batch of x), received ${got}`,
      );
    }
  }
}
