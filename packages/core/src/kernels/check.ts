/**
 * Input checks of the kernels: a kernel refuses a tensor of the wrong kind or shape,
 * naming it, before tfjs fails deep inside an op (or a fused kernel reads past a buffer).
 */
import type * as tf from '@tensorflow/tfjs-core';
import { badArgument } from '../errors.js';

/** Duck-typed, so a tensor from a second copy of tfjs passes too. */
function isTensor(value: unknown): value is tf.Tensor {
  const v = value as { shape?: unknown; dtype?: unknown; dataId?: unknown } | null;
  return typeof v === 'object' && v !== null && Array.isArray(v.shape) && typeof v.dtype === 'string' && 'dataId' in v;
}

/** Throws unless `value` is a float32 tensor of rank `rank` (any rank ≥ `rank` when `orMore`). */
export function expectFloatTensor(
  kernel: string,
  name: string,
  value: unknown,
  rank: number,
  orMore = false,
): tf.Tensor {
  const expected = `a float32 tensor of rank ${rank}${orMore ? ' or more' : ''}`;
  if (!isTensor(value)) throw badArgument('BAD_DATA', `${kernel} input '${name}'`, expected, value);
  const ok = orMore ? value.rank >= rank : value.rank === rank;
  if (!ok) throw badArgument('SHAPE_MISMATCH', `${kernel} input '${name}'`, expected, value);
  if (value.dtype !== 'float32') {
    throw badArgument('BAD_DATA', `${kernel} input '${name}'`, expected, `dtype ${value.dtype}`);
  }
  return value;
}

/** Throws unless `value` is a float32 tensor of exactly `shape`. */
export function expectShape(kernel: string, name: string, value: unknown, shape: readonly number[]): void {
  const t = expectFloatTensor(kernel, name, value, shape.length);
  if (t.shape.some((d, i) => d !== shape[i])) {
    throw badArgument('SHAPE_MISMATCH', `${kernel} input '${name}'`, `shape [${shape.join(', ')}]`, t);
  }
}

/** Throws unless an optional `value` is absent or a float32 tensor of exactly `shape`. */
export function expectOptionalShape(kernel: string, name: string, value: unknown, shape: readonly number[]): void {
  if (value !== undefined) expectShape(kernel, name, value, shape);
}
