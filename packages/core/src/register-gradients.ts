// Importing this module registers every tfjs-core gradient that is not registered yet,
// and the gradient of each of Recur's kernel descriptors (for a backend's fused forward).
// tfjs-core's Node entry registers none, so without it `tf.grad` fails with
// "gradient function not found for Sum". Importing @recur/core is enough.
//
// Order matters: tfjs-core proper must create the global engine first. The bundle holds
// private copies of tfjs internals; had it created the engine, tensors would be built
// from its Tensor class, which lacks the chained methods (`x.reshape()`).
import * as tf from '@tensorflow/tfjs-core';
import './generated/gradients.js';
import type { AnyKernelDescriptor } from './kernels/descriptor.js';
import { outputGradientNames, runBackward } from './kernels/dispatch.js';
import { lazyGradients } from './kernels/lazy-gradients.js';
import { KERNEL_DESCRIPTORS } from './kernels/registry.js';

/**
 * The gradient of a backend's fused forward `d.name`: tfjs saved the inputs and the
 * outputs the backward reads; the backward kernel (or the reference) turns them, with
 * the gradients of the visible outputs, into the inputs' gradients.
 *
 * The backward runs when tfjs first asks for an input's gradient, not before, and skips
 * the gradients of the inputs tfjs passed over by then (`skipGradients` in its attributes).
 * tfjs asks for the inputs on a path to what it differentiates, one by one in the order
 * the kernel received them (`backpropagateGradients`: `name in gradients`, then
 * `gradients[name]()`), so a first question about `kernel` says that `x` (a model's input
 * data) needs no gradient: the input projection's gradient dX = dZ·Wᵀ, a third of a
 * first layer's weight-gradient products, is not computed, as PyTorch skips it for an
 * input without `requires_grad`. A kernel that does not know the attribute computes every
 * gradient; a gradient asked for after all (another order) runs the backward again in
 * full, so the order decides the cost, never the result.
 */
function registerKernelGradient(d: AnyKernelDescriptor): void {
  const allOutputs = [...d.outputs, ...d.workspace];
  const saves = allOutputs.map((name) => d.workspace.includes(name) || d.savedOutputs.includes(name));
  const savedNames = allOutputs.filter((_, i) => saves[i]);
  tf.registerGradient({
    kernelName: d.name,
    inputsToSave: [...d.inputs],
    outputsToSave: saves,
    gradFunc: (dy, saved, attrs) => {
      const given: Record<string, tf.Tensor> = {};
      [...d.inputs, ...savedNames].forEach((name, i) => {
        given[name] = saved[i] as tf.Tensor;
      });
      // tfjs hands a kernel of one output its gradient alone, not in an array.
      const outputGradients = Array.isArray(dy) ? dy : [dy];
      outputGradientNames(d).forEach((name, k) => {
        given[name] = outputGradients[k] as tf.Tensor;
      });
      return lazyGradients(d, given, (skip) =>
        runBackward(d, given, skip.length === 0 ? (attrs as object) : { ...attrs, skipGradients: skip }),
      );
    },
  });
}

for (const descriptor of KERNEL_DESCRIPTORS) registerKernelGradient(descriptor);
