import * as tf from '@tensorflow/tfjs-core';

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
