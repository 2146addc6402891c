import { type Carry, type Cell, carryShapes } from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * The cell's carry entries and their flattened widths (the product of each entry's shape
 * after the batch axis), in `initCarry` order: what a dense bridge reads and writes.
 */
export function carryWidths(cell: Cell): Readonly<Record<string, number>> {
  return Object.fromEntries([...carryShapes(cell)].map(([k, rest]) => [k, rest.reduce((a, b) => a * b, 1)]));
}

/** Each entry as `[batch, width]`, whatever its rank. */
export function flattenCarry(carry: Carry): Record<string, tf.Tensor2D> {
  return Object.fromEntries(
    Object.entries(carry).map(([k, v]) => [k, tf.reshape(v, [v.shape[0] as number, -1]) as tf.Tensor2D]),
  );
}

/** `[batch, width]` rows back in the shape of `cell`'s carry entry `key`. */
export function unflattenEntry(cell: Cell, key: string, rows: tf.Tensor2D): tf.Tensor {
  const rest = carryShapes(cell).get(key) ?? [rows.shape[1]];
  return rest.length === 1 ? rows : tf.reshape(rows, [rows.shape[0], ...rest]);
}
