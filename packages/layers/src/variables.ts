import { badArgument, isTensor } from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';
import type { ParamTree } from './layer.js';

/** What `toVariables` returns: the same tree made of variables, and each variable by its path. */
export interface VariableTree<P extends ParamTree> {
  /** `params` with every tensor replaced by a trainable `tf.Variable`: what `apply` takes while training. */
  readonly params: P;
  /** The same variables keyed by their path (`'1/forward/kernel'`): the names checkpoints store. */
  readonly variables: Readonly<Record<string, tf.Variable>>;
}

/** How `toVariables` names the variables. */
export interface ToVariablesOptions {
  /** Joins the path's parts in the names of `variables`. Default `'/'` (Keras weight names). */
  readonly separator?: string;
}

/**
 * Trainable copies of a layer's weights, as `fit` in `@recur/train` needs them: `init`
 * gives plain tensors, and an optimizer can only update `tf.Variable`s. `params` stay the
 * caller's, untouched (dispose them when no longer needed); the variables are new and the
 * caller's too (`tf.dispose(Object.values(variables))`).
 *
 * ```ts
 * const init = model.init(new Rng(1));
 * const { params, variables } = toVariables(init);
 * tf.dispose(init);
 * ```
 */
export function toVariables<P extends ParamTree>(params: P, options: ToVariablesOptions = {}): VariableTree<P> {
  if (options === null || typeof options !== 'object') throw badArgument('BAD_CONFIG', 'options', 'an object', options);
  const separator = options.separator ?? '/';
  if (typeof separator !== 'string' || separator === '') {
    throw badArgument('BAD_CONFIG', 'options.separator', 'a non-empty string', separator);
  }
  checkTree(params, 'params');
  const variables: Record<string, tf.Variable> = {};
  const walk = (node: ParamTree, path: readonly string[]): ParamTree => {
    if (isTensor(node)) {
      // Unnamed: tfjs names variables engine-wide, and two models' paths would collide.
      const v = tf.variable(node, true);
      variables[path.join(separator)] = v;
      return v;
    }
    if (Array.isArray(node)) return node.map((child, i) => walk(child as ParamTree, [...path, String(i)]));
    return Object.fromEntries(Object.entries(node).map(([k, child]) => [k, walk(child as ParamTree, [...path, k])]));
  };
  const tree = walk(params, []) as P;
  return { params: tree, variables };
}

/** Throws naming the first place of `node` that is neither a tensor, an array nor a record of them. */
function checkTree(node: unknown, argument: string): void {
  if (isTensor(node)) {
    if (node.isDisposed) throw badArgument('BAD_CONFIG', argument, 'a live tensor', 'a disposed tensor');
    return;
  }
  if (Array.isArray(node)) {
    for (const [i, child] of node.entries()) checkTree(child, `${argument}[${i}]`);
    return;
  }
  if (node === null || typeof node !== 'object') {
    throw badArgument('BAD_CONFIG', argument, 'a tensor or a record or array of them (the params of a layer)', node);
  }
  for (const [k, child] of Object.entries(node)) checkTree(child, `${argument}.${k}`);
}

/**
 * Disposes every tensor of a params tree (what `tf.dispose` does, typed for the readonly
 * trees layers make), e.g. the weights from `init` once `toVariables` has copied them.
 */
export function disposeParams(params: ParamTree): void {
  checkTree(params, 'params');
  tf.dispose(params as unknown as tf.TensorContainer);
}
