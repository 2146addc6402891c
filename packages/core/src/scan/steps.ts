/**
 * The generic path of `scan`: step any cell over time, one `tf.tidy` per step, and stack
 * the outputs. Differentiable through tfjs' autodiff of each step.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Carry, Cell, Params } from '../cell.js';
import { badArgument } from '../errors.js';
import type { ScanPlan } from './validate.js';

/** Runs inside `scan`'s tidy; `mask` is `[batch, time]` bool when there is padding. */
export function scanSteps<C extends Carry, P extends Params>(
  cell: Cell<C, P>,
  params: P,
  xs: tf.Tensor3D,
  plan: ScanPlan<C>,
  mask: tf.Tensor2D | undefined,
): { outputs: tf.Tensor; carry: C } {
  const { batch, time, reverse, maskedOutput } = plan;
  // tfjs' Unpack gradient breaks on a single output (tensorflow/tfjs#1529): reshape instead.
  const inputs =
    time === 1 ? [tf.reshape(xs, [batch, xs.shape[2]]) as tf.Tensor2D] : (tf.unstack(xs, 1) as tf.Tensor2D[]);
  const real = mask === undefined ? undefined : (tf.unstack(tf.expandDims(mask, 2), 1) as tf.Tensor2D[]);
  let carry: C = plan.initialCarry ?? cell.initCarry(batch);
  // The output of the last real step, zeros before the first: what 'previous' emits and
  // what returnSequences false returns.
  let last: tf.Tensor2D | undefined;
  const emitted: tf.Tensor2D[] = [];
  for (let s = 0; s < time; s++) {
    const t = reverse ? time - 1 - s : s;
    const [carryBefore, lastBefore] = [carry, last];
    const step = tf.tidy(() => {
      const out = cell.step(params, carryBefore, inputs[t] as tf.Tensor2D);
      if (s === 0) checkStep(cell, out, carryBefore, batch);
      const m = real?.[t];
      if (m === undefined) return { carry: out.carry, y: out.y, last: out.y };
      const kept = Object.fromEntries(
        Object.entries(out.carry).map(([k, v]) => [k, tf.where(m, v, carryBefore[k] as tf.Tensor2D)]),
      ) as unknown as C;
      const lastNow = tf.where(m, out.y, lastBefore ?? tf.zerosLike(out.y)) as tf.Tensor2D;
      const y = maskedOutput === 'previous' ? lastNow : (tf.where(m, out.y, tf.zerosLike(out.y)) as tf.Tensor2D);
      return { carry: kept, y, last: lastNow };
    });
    carry = step.carry;
    last = step.last;
    emitted[plan.keepOrder && reverse ? t : s] = step.y;
  }
  const outputs = plan.returnSequences ? tf.stack(emitted, 1) : (last as tf.Tensor2D);
  return { outputs, carry };
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
