import { describeValue, isTensor, sameShape, shapeMismatch } from '@recur/core';
import type { WeightSpec } from './layer.js';

/** Where one weight sits in a layer's params tree, and its shape. */
export type ParamSpec = Pick<WeightSpec, 'path' | 'shape'>;

/** Follows `path` from `root`; `undefined` where a step is missing. */
export function atPath(root: unknown, path: readonly (string | number)[]): unknown {
  let node = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[key];
  }
  return node;
}

/**
 * Checks every weight in `specs` exists in the params tree with its exact shape, so a
 * wrong tree fails here, naming the weight's path, rather than inside a tfjs op.
 */
export function checkParams(params: unknown, specs: readonly ParamSpec[], argument = 'params'): void {
  for (const { path, shape } of specs) {
    const value = atPath(params, path);
    if (!isTensor(value) || !sameShape(value.shape, shape)) {
      throw shapeMismatch(`${argument}.${path.join('.')}`, `a tensor of shape ${describeValue(shape)}`, value);
    }
  }
}
