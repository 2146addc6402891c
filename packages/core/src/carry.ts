/**
 * Carries of any rank: a cell's state is a record of tensors with the batch on axis 0
 * (see `cell.ts`). What every driver needs to know about one comes from a single
 * `initCarry(1)` per cell: each entry's shape, batch replaced. Masks, beam search,
 * checkpoints and layers check and move carries through these helpers, so none of them
 * assumes `[batch, units]`.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Carry, Cell } from './cell.js';
import { badArgument, RecurError } from './errors.js';

/** Entry name → shape after the batch axis (`[]` for a `[batch]` entry), in `initCarry` order. */
export type CarryShapes = ReadonlyMap<string, readonly number[]>;

// Cells are immutable, so each one's carry shapes are read once.
const known = new WeakMap<object, CarryShapes>();

/** Duck-typed rather than `instanceof`, so a tensor from a second copy of tfjs-core is recognised. */
function isTensor(value: unknown): value is tf.Tensor {
  return (
    value !== null &&
    typeof value === 'object' &&
    Array.isArray((value as tf.Tensor).shape) &&
    typeof (value as tf.Tensor).dtype === 'string'
  );
}

/** The shapes of `cell`'s carry entries, batch axis left out, from one `initCarry(1)` (cached per cell). */
export function carryShapes(cell: Cell): CarryShapes {
  const cached = known.get(cell);
  if (cached !== undefined) return cached;
  const template = cell.initCarry(1);
  try {
    const shapes = new Map<string, readonly number[]>();
    const entries = template !== null && typeof template === 'object' ? Object.entries(template) : [];
    for (const [key, value] of entries) {
      if (!isTensor(value) || value.rank < 1 || value.shape[0] !== 1) {
        throw badArgument('BAD_CONFIG', `cell.initCarry(1).${key}`, 'a tensor with batch 1 on axis 0', value);
      }
      shapes.set(key, value.shape.slice(1));
    }
    if (shapes.size === 0) {
      throw badArgument('BAD_CONFIG', 'cell.initCarry(1)', 'a record of tensors with the batch on axis 0', template);
    }
    known.set(cell, shapes);
    return shapes;
  } finally {
    tf.dispose(template as unknown as tf.TensorContainer);
  }
}

/** `[batch, ...rest]` as text. */
function shapeText(batch: number | string, rest: readonly number[]): string {
  return `[${[batch, ...rest].join(', ')}]`;
}

/** A carry layout in words, e.g. `{ C: [2, 4, 4], h: [2, 4] }`. */
export function describeCarry(shapes: CarryShapes, batch: number | string): string {
  return `{ ${[...shapes].map(([k, rest]) => `${k}: ${shapeText(batch, rest)}`).join(', ')} }`;
}

/**
 * Throws `RecurError` naming `argument` unless `value` is a tensor that has not been
 * disposed (a disposed tensor would otherwise fail deep inside tfjs).
 */
export function checkLiveTensor(value: unknown, argument: string, expected = 'a tensor'): asserts value is tf.Tensor {
  if (!isTensor(value)) throw badArgument('SHAPE_MISMATCH', argument, expected, value);
  if (value.isDisposed) {
    throw new RecurError(
      'BAD_DATA',
      `${argument}: expected ${expected}, received a disposed tensor of shape [${value.shape.join(', ')}]`,
    );
  }
}

/**
 * Checks `value` is a carry of `cell` for `batch` sequences: exactly its entries, each a
 * live float32 tensor of `initCarry(1)`'s shape with the batch replaced.
 */
export function checkCarry(cell: Cell, value: unknown, batch: number, argument: string): asserts value is Carry {
  const shapes = carryShapes(cell);
  const expected = describeCarry(shapes, batch);
  if (value === null || typeof value !== 'object' || isTensor(value)) {
    throw badArgument('SHAPE_MISMATCH', argument, `a carry ${expected}`, value);
  }
  const extra = Object.keys(value).filter((k) => !shapes.has(k));
  if (extra.length > 0) {
    throw new RecurError(
      'SHAPE_MISMATCH',
      `${argument}: expected only the entries ${expected}, received entries ${extra.join(', ')}`,
    );
  }
  for (const [key, rest] of shapes) {
    const entry = (value as Record<string, unknown>)[key];
    const wanted = `a float32 tensor of shape ${shapeText(batch, rest)} (carry ${expected})`;
    checkLiveTensor(entry, `${argument}.${key}`, wanted);
    const same =
      entry.rank === rest.length + 1 && entry.shape[0] === batch && rest.every((d, i) => entry.shape[i + 1] === d);
    if (!same || entry.dtype !== 'float32') {
      throw new RecurError(
        'SHAPE_MISMATCH',
        `${argument}.${key}: expected ${wanted}, received a ${entry.dtype} tensor of shape [${entry.shape.join(', ')}]`,
      );
    }
  }
}

/** `rows` (`[batch]`, bool) broadcast against a `[batch, ...]` entry of rank `rank`. */
function rowsFor(rows: tf.Tensor, rank: number): tf.Tensor {
  return rank <= 1 ? rows : tf.reshape(rows, [rows.shape[0] as number, ...new Array<number>(rank - 1).fill(1)]);
}

/**
 * Per row, `next`'s entry where `rows` is true and `previous`'s elsewhere, for entries of
 * any rank: how a padded step keeps the state. `rows` is `[batch]` bool.
 */
export function selectRows<C extends Carry>(rows: tf.Tensor, next: C, previous: C): C {
  return tf.tidy(() =>
    Object.fromEntries(
      Object.entries(next).map(([k, v]) => [k, tf.where(rowsFor(rows, v.rank), v, previous[k] as tf.Tensor)]),
    ),
  ) as unknown as C;
}

/** Row `indices[i]` of every entry, for entries of any rank: how beam search reorders states. */
export function gatherRows<C extends Carry>(carry: C, indices: tf.Tensor1D): C {
  return tf.tidy(() =>
    Object.fromEntries(Object.entries(carry).map(([k, v]) => [k, tf.gather(v, indices, 0)])),
  ) as unknown as C;
}
