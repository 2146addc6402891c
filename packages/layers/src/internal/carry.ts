import type { Carry, Cell } from '@recur/core';
import { isTensor, shapeMismatch as mismatch, RecurError } from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';

// Cells are immutable, so each one's carry layout is read once.
const widths = new WeakMap<object, Readonly<Record<string, number>>>();

/** The cell's carry fields and their widths, from one `initCarry(1)` (cached per cell). */
export function carryWidths(cell: Cell): Readonly<Record<string, number>> {
  const known = widths.get(cell);
  if (known !== undefined) return known;
  const layout = tf.tidy(() => {
    const zero = cell.initCarry(1);
    return Object.fromEntries(Object.entries(zero).map(([k, v]) => [k, v.shape[1] as number]));
  });
  widths.set(cell, layout);
  return layout;
}

/** Checks `value` is a carry of `cell` for `batch` sequences: exactly its fields, each `[batch, width]`. */
export function checkCarry(cell: Cell, value: unknown, batch: number, argument: string): asserts value is Carry {
  const layout = carryWidths(cell);
  const expected = `{ ${Object.entries(layout)
    .map(([k, w]) => `${k}: [${batch}, ${w}]`)
    .join(', ')} }`;
  if (value === null || typeof value !== 'object' || isTensor(value)) {
    throw mismatch(argument, `a carry ${expected}`, value);
  }
  const extra = Object.keys(value).filter((k) => !(k in layout));
  if (extra.length > 0) {
    throw new RecurError(
      'SHAPE_MISMATCH',
      `${argument}: expected only the fields ${expected}, received ${extra.join(', ')} too`,
    );
  }
  for (const [key, width] of Object.entries(layout)) {
    const field = (value as Record<string, unknown>)[key];
    if (
      !isTensor(field) ||
      field.dtype !== 'float32' ||
      field.rank !== 2 ||
      field.shape[0] !== batch ||
      field.shape[1] !== width
    ) {
      throw mismatch(`${argument}.${key}`, `a float32 tensor of shape [${batch}, ${width}] (carry ${expected})`, field);
    }
  }
}
