import { badArgument, describeValue, RecurError } from '@recur/core';
import type * as tf from '@tensorflow/tfjs-core';

/** Expected parameter shapes of one cell config, by name (computed once, at construction). */
export type ParamShapes = Readonly<Record<string, readonly number[]>>;

// Duck-typed rather than `instanceof tf.Tensor`, so a tensor from a second copy of
// tfjs-core (two bundles in one page) is still recognised.
function isTensor(value: unknown): value is tf.Tensor {
  return (
    value !== null &&
    typeof value === 'object' &&
    Array.isArray((value as tf.Tensor).shape) &&
    typeof (value as tf.Tensor).dtype === 'string'
  );
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function received(value: unknown): string {
  return isTensor(value) ? `a ${value.dtype} tensor of shape [${value.shape.join(', ')}]` : describeValue(value);
}

function mismatch(argument: string, expected: string, value: unknown): RecurError {
  return new RecurError('SHAPE_MISMATCH', `${argument}: expected ${expected}, received ${received(value)}`);
}

/** Checks `x` is a float32 `[batch, inputSize]` tensor; returns the batch size. */
export function checkInput(kind: string, x: unknown, inputSize: number): number {
  if (!isTensor(x) || x.dtype !== 'float32' || x.rank !== 2 || x.shape[1] !== inputSize) {
    throw mismatch(`${kind} step x`, `a float32 tensor of shape [batch, ${inputSize}]`, x);
  }
  return x.shape[0] as number;
}

/** Checks every carry field is `[batch, width]` with the batch of `x`. */
export function checkCarry(kind: string, carry: unknown, widths: Readonly<Record<string, number>>, batch: number) {
  const names = Object.keys(widths);
  if (carry === null || typeof carry !== 'object') {
    const fields = names.map((n) => `${n}: [${batch}, ${widths[n]}]`).join(', ');
    throw badArgument('SHAPE_MISMATCH', `${kind} step carry`, `{ ${fields} }`, carry);
  }
  for (const name of names) {
    const value = (carry as Record<string, unknown>)[name];
    const shape = [batch, widths[name] as number];
    if (!isTensor(value) || value.dtype !== 'float32' || !sameShape(value.shape, shape)) {
      throw mismatch(
        `${kind} step carry.${name}`,
        `a float32 tensor of shape [${shape.join(', ')}] (batch of x)`,
        value,
      );
    }
  }
}

/** Checks every parameter the config needs is present with its exact shape (extra fields are ignored). */
export function checkParams(kind: string, params: unknown, shapes: ParamShapes): void {
  if (params === null || typeof params !== 'object') {
    throw badArgument('SHAPE_MISMATCH', `${kind} step params`, `{ ${Object.keys(shapes).join(', ')} }`, params);
  }
  for (const [name, shape] of Object.entries(shapes)) {
    const value = (params as Record<string, unknown>)[name];
    if (!isTensor(value) || value.dtype !== 'float32' || !sameShape(value.shape, shape)) {
      throw mismatch(`${kind} step params.${name}`, `a float32 tensor of shape [${shape.join(', ')}]`, value);
    }
  }
}

export function checkBatch(kind: string, batch: unknown): number {
  if (typeof batch !== 'number' || !Number.isInteger(batch) || batch <= 0) {
    throw badArgument('BAD_CONFIG', `${kind} initCarry batch`, 'a positive integer', batch);
  }
  return batch;
}

/**
 * The params check of one cell config, run once per params record: `check` always
 * checks (drivers call it once per run, as `cell.checkParams`), `checkOnce` skips a
 * record that passed before, so `step` does not re-check the same params at every step.
 */
export function paramsCheck(kind: string, shapes: ParamShapes) {
  const passed = new WeakSet<object>();
  const check = (params: unknown): void => {
    checkParams(kind, params, shapes);
    passed.add(params as object);
  };
  return {
    check,
    checkOnce(params: unknown): void {
      if (params === null || typeof params !== 'object' || !passed.has(params)) check(params);
    },
  };
}
