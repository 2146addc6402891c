/**
 * The stepped sequence form: what `scan` runs for a cell without `sequence`. Steps the
 * cell over time, one `tf.tidy` per step, and stacks the outputs; differentiable through
 * tfjs' autodiff of each step.
 */
import * as tf from '@tensorflow/tfjs-core';
import { selectRows } from '../carry.js';
import type { Carry, Cell, Params, SequenceOptions, SequenceResult } from '../cell.js';
import { badArgument } from '../errors.js';

/**
 * Runs `cell.step` over `xs` from `carry0` under the contract of `Cell.sequence`: `ys` in
 * input time order, padded steps keep every carry entry (whatever its rank) and emit
 * zeros or the last real output.
 */
export function stepSequence<C extends Carry, P extends Params>(
  cell: Cell<C, P>,
  params: P,
  xs: tf.Tensor3D,
  carry0: C,
  options: SequenceOptions,
): SequenceResult<C> {
  const [batch, time] = xs.shape;
  const { reverse, maskedOutput } = options;
  return tf.tidy(() => {
    // tfjs' Unpack gradient breaks on a single output (tensorflow/tfjs#1529): reshape instead.
    const inputs =
      time === 1 ? [tf.reshape(xs, [batch, xs.shape[2]]) as tf.Tensor2D] : (tf.unstack(xs, 1) as tf.Tensor2D[]);
    const real = options.mask === undefined ? undefined : tf.unstack(tf.cast(options.mask, 'bool'), 1);
    let carry = carry0;
    // The output of the last real step, zeros before the first: what 'previous' emits.
    let last: tf.Tensor2D | undefined;
    const ys: tf.Tensor2D[] = [];
    for (let s = 0; s < time; s++) {
      const t = reverse ? time - 1 - s : s;
      const [carryBefore, lastBefore] = [carry, last];
      const step = tf.tidy(() => {
        const out = cell.step(params, carryBefore, inputs[t] as tf.Tensor2D);
        if (s === 0) checkStep(cell, out, carryBefore, batch);
        const m = real?.[t];
        if (m === undefined) return { carry: out.carry, y: out.y, last: out.y };
        const rows = tf.expandDims(m, 1);
        const lastNow = tf.where(rows, out.y, lastBefore ?? tf.zerosLike(out.y)) as tf.Tensor2D;
        const y = maskedOutput === 'previous' ? lastNow : (tf.where(rows, out.y, tf.zerosLike(out.y)) as tf.Tensor2D);
        return { carry: selectRows(m, out.carry, carryBefore), y, last: lastNow };
      });
      carry = step.carry;
      last = step.last;
      ys[t] = step.y;
    }
    return { ys: tf.stack(ys, 1) as tf.Tensor3D, carry };
  });
}

/** A cell that breaks its contract fails here with its name, not deep inside tfjs. */
function checkStep<C extends Carry>(cell: Cell<C>, out: { carry: C; y: tf.Tensor2D }, before: C, batch: number): void {
  const y = out?.y;
  if (!(y instanceof tf.Tensor) || y.rank !== 2 || y.shape[0] !== batch || y.shape[1] !== cell.outputSize) {
    throw badArgument(
      'BAD_CONFIG',
      `${cell.kind} cell.step(...).y`,
      `a tensor of shape [${batch}, ${cell.outputSize}]`,
      y,
    );
  }
  for (const [key, value] of Object.entries(before)) {
    const next = (out.carry as Record<string, unknown>)[key];
    if (!(next instanceof tf.Tensor) || next.shape.join() !== value.shape.join()) {
      throw badArgument(
        'BAD_CONFIG',
        `${cell.kind} cell.step(...).carry.${key}`,
        `shape [${value.shape.join(', ')}]`,
        next,
      );
    }
  }
}
