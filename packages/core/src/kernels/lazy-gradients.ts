import * as tf from '@tensorflow/tfjs-core';
import type { AnyKernelDescriptor } from './descriptor.js';

/**
 * `{ [input]: () => gradient }` for tfjs. The backward runs in tfjs' `name in gradients`
 * check of the first differentiable input it asks for, in the scope of the whole backward
 * pass as before; a closure called without that check (not how tfjs 4 does it) runs the
 * backward in its own scope, in full, and keeps nothing.
 */
export function lazyGradients(
  d: Pick<AnyKernelDescriptor, 'inputs' | 'differentiable'>,
  given: Record<string, tf.Tensor>,
  backward: (skip: readonly string[]) => tf.Tensor[],
): Record<string, () => tf.Tensor> {
  let grads: tf.Tensor[] | undefined;
  let skipped: readonly string[] = [];
  const gradient = (name: string) => () => {
    const k = d.differentiable.indexOf(name);
    // Zeros for an input without a gradient only when tfjs asks: it asks for the inputs
    // on a path to the variables, which labels, masks and initial states seldom are.
    if (k < 0) return tf.zerosLike(given[name] as tf.Tensor);
    if (grads === undefined || skipped.includes(name)) return backward([])[k] as tf.Tensor;
    return grads[k] as tf.Tensor;
  };
  const target = Object.fromEntries(d.inputs.map((name) => [name, gradient(name)]));
  return new Proxy(target, {
    has(t, name) {
      if (grads === undefined && typeof name === 'string' && d.differentiable.includes(name)) {
        const first = d.inputs.indexOf(name);
        skipped = d.differentiable.filter((input) => d.inputs.indexOf(input) < first);
        grads = backward(skipped);
      }
      return name in t;
    },
  });
}
