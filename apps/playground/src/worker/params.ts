import { isTensor } from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';

/** A layer's parameter tree (records and arrays of tensors), as `@recur/layers` makes them. */
export type Tree = tf.Tensor | readonly Tree[] | { readonly [key: string]: Tree } | undefined;

/** The same tree with every tensor turned into a trainable variable; the tensors are disposed. */
export function toVariables<T>(tree: T): T {
  const walk = (node: unknown): unknown => {
    if (isTensor(node)) {
      const v = tf.variable(node, true);
      node.dispose();
      return v;
    }
    if (Array.isArray(node)) return node.map(walk);
    if (node !== null && typeof node === 'object')
      return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v)]));
    return node;
  };
  return walk(tree) as T;
}

/** Every variable of a tree by its path (`1/kernel`): the names in a saved model. */
export function namedVariables(tree: unknown): Record<string, tf.Variable> {
  const out: Record<string, tf.Variable> = {};
  const walk = (node: unknown, path: string): void => {
    if (node instanceof tf.Variable) out[path] = node;
    else if (node !== null && typeof node === 'object')
      for (const [k, v] of Object.entries(node)) walk(v, path === '' ? k : `${path}/${k}`);
  };
  walk(tree, '');
  return out;
}

export function parameterCount(tree: unknown): number {
  return Object.values(namedVariables(tree)).reduce((n, v) => n + v.size, 0);
}

export function disposeTree(tree: unknown): void {
  tf.dispose(Object.values(namedVariables(tree)));
}
