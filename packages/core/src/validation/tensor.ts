import type * as tf from '@tensorflow/tfjs-core';
import { badArgument, describeValue, RecurError } from '../errors.js';

/**
 * True when `value` looks like a tfjs tensor (an array `shape` and a string `dtype`).
 *
 * Duck-typed on purpose, never `instanceof tf.Tensor`: an app bundling two copies of
 * tfjs-core (two bundles in one page, or a dependency with its own copy) makes tensors
 * whose class is not this copy's `Tensor`, and those must still be accepted.
 */
export function isTensor(value: unknown): value is tf.Tensor {
  return (
    value !== null &&
    typeof value === 'object' &&
    Array.isArray((value as { shape?: unknown }).shape) &&
    typeof (value as { dtype?: unknown }).dtype === 'string'
  );
}

/** True when two shapes have the same rank and the same size on every axis. */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (!Array.isArray(a) || !Array.isArray(b)) {
    throw badArgument('BAD_CONFIG', 'sameShape shapes', 'two arrays of numbers', Array.isArray(a) ? b : a);
  }
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * The `SHAPE_MISMATCH` error for `argument`: `argument: expected <expected>, received
 * <received>`, where a tensor is rendered with its dtype and shape. When only a shape is
 * at hand (an `outputShape` check), pass `{ shape }` as `received`.
 */
export function shapeMismatch(argument: string, expected: string, received: unknown): RecurError {
  const shown = isTensor(received)
    ? `a ${received.dtype} tensor of shape ${describeValue(received.shape)}`
    : describeValue(received);
  return new RecurError('SHAPE_MISMATCH', `${argument}: expected ${expected}, received ${shown}`);
}

/**
 * `value` as a tensor, or a `SHAPE_MISMATCH` naming `argument` and `expected` (what the
 * caller wanted, e.g. `'a tensor of shape [batch, time, features]'`).
 */
export function checkTensor(value: unknown, argument: string, expected = 'a tensor'): tf.Tensor {
  if (!isTensor(value)) throw shapeMismatch(argument, expected, value);
  return value;
}

/**
 * Checks an optional mask: absent, or a tensor of shape `[batch, time]` (the input's
 * leading axes). Any dtype; a step counts where the mask is non-zero.
 */
export function checkMask(mask: unknown, batch: number, time: number, argument = 'options.mask'): void {
  if (mask === undefined) return;
  if (!isTensor(mask) || !sameShape(mask.shape, [batch, time])) {
    throw shapeMismatch(argument, `a tensor of shape [${batch}, ${time}] (input batch and time)`, mask);
  }
}

/**
 * Checks that `params` holds every tensor named in `shapes`, each float32 with exactly
 * that shape; fields not listed are ignored (a params record may carry more).
 */
export function checkParamShapes(
  params: unknown,
  shapes: Readonly<Record<string, readonly number[]>>,
  argument = 'params',
): void {
  if (params === null || typeof params !== 'object') {
    throw badArgument('SHAPE_MISMATCH', argument, `{ ${Object.keys(shapes).join(', ')} }`, params);
  }
  for (const [name, shape] of Object.entries(shapes)) {
    const value = (params as Record<string, unknown>)[name];
    if (!isTensor(value) || value.dtype !== 'float32' || !sameShape(value.shape, shape)) {
      throw shapeMismatch(`${argument}.${name}`, `a float32 tensor of shape ${describeValue(shape)}`, value);
    }
  }
}
