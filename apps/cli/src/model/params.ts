import { isTensor } from '@recur/core';
import {
  type AnyLayer,
  disposeParams,
  toVariables as layersToVariables,
  type ParamTree,
  type VariableTree,
} from '@recur/layers';
import type { StoredTensor } from '@recur/train';
import * as tf from '@tensorflow/tfjs-core';
import { CliError } from '../errors.js';

/** Every tensor of a param tree with its path (`rnn.0.kernel`): the checkpoint keys. */
export function leaves(tree: ParamTree, path = ''): [string, tf.Tensor][] {
  if (isTensor(tree)) return [[path, tree]];
  const join = (key: string | number) => (path === '' ? String(key) : `${path}.${key}`);
  if (Array.isArray(tree)) return tree.flatMap((t, i) => leaves(t as ParamTree, join(i)));
  return Object.entries(tree as Record<string, ParamTree>).flatMap(([k, t]) => leaves(t, join(k)));
}

/** The same tree with each tensor replaced by `f(path, tensor)`. */
export function mapLeaves<T extends ParamTree>(tree: T, f: (path: string, t: tf.Tensor) => tf.Tensor, path = ''): T {
  if (isTensor(tree)) return f(path, tree) as T;
  const join = (key: string | number) => (path === '' ? String(key) : `${path}.${key}`);
  if (Array.isArray(tree)) return tree.map((t, i) => mapLeaves(t as ParamTree, f, join(i))) as unknown as T;
  return Object.fromEntries(
    Object.entries(tree as Record<string, ParamTree>).map(([k, t]) => [k, mapLeaves(t, f, join(k))]),
  ) as T;
}

/**
 * Turns freshly initialised weights into trainable variables (disposing the originals),
 * keyed by their dotted path: the names checkpoints store.
 */
export function toVariables<T extends ParamTree>(tree: T): VariableTree<T> {
  const made = layersToVariables(tree, { separator: '.' });
  disposeParams(tree);
  return made;
}

/**
 * The weights stored in a model file, arranged as `template` (fresh weights of the model
 * its config describes, which this disposes). Every weight is checked by name and shape
 * first, so a file from a model of another shape is refused before any tensor is made.
 */
export function fromStored<T extends ParamTree>(
  template: T,
  weights: Readonly<Record<string, StoredTensor>>,
  where: string,
): T {
  const expected = leaves(template);
  try {
    for (const [path, t] of expected) {
      const w = weights[path];
      if (w === undefined) {
        throw new CliError(`${where} has no weight '${path}': it was saved from another kind of model`);
      }
      if (w.shape.join() !== t.shape.join()) {
        throw new CliError(
          `${where}: weight '${path}' has shape [${w.shape}], this model needs [${t.shape}]: the file was saved from a model of another shape`,
        );
      }
    }
    const extra = Object.keys(weights).filter((k) => !expected.some(([p]) => p === k));
    if (extra.length > 0) {
      throw new CliError(
        `${where} holds weights this model lacks (${extra.slice(0, 3).join(', ')}): it was saved from another kind of model`,
      );
    }
    return mapLeaves(template, (path) => {
      const w = weights[path] as StoredTensor;
      return tf.tensor(w.values, [...w.shape], w.dtype);
    });
  } finally {
    tf.dispose(expected.map(([, t]) => t));
  }
}

/** Weights of `layers`, from their weight shapes, without allocating any. */
export function specWeightCount(layers: readonly AnyLayer[]): number {
  return layers.reduce(
    (n, layer) => n + layer.kerasWeightSpec().reduce((m, spec) => m + spec.shape.reduce((a, d) => a * d, 1), 0),
    0,
  );
}
