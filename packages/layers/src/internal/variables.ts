import * as tf from '@tensorflow/tfjs-core';
import type { ParamTree } from '../layer.js';
import { isTensor } from './checks.js';

/** The tree with every tensor replaced by a trainable variable named by its path. */
export function toVariables(node: ParamTree, path: string[], out: Record<string, tf.Variable>): ParamTree {
  if (isTensor(node)) {
    // Unnamed: tfjs names variables globally, and two models' paths would collide.
    const v = tf.variable(node, true);
    out[path.join('/')] = v;
    return v;
  }
  if (Array.isArray(node)) return node.map((child, i) => toVariables(child as ParamTree, [...path, String(i)], out));
  return Object.fromEntries(
    Object.entries(node).map(([k, child]) => [k, toVariables(child as ParamTree, [...path, k], out)]),
  );
}
