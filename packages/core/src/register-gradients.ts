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
import { kernelGradient } from './kernels/dispatch.js';
import { KERNEL_DESCRIPTORS } from './kernels/registry.js';

/** The gradient of a backend's fused forward `d.name` ({@link kernelGradient}). */
function registerKernelGradient(d: AnyKernelDescriptor): void {
  const { outputsToSave, gradFunc } = kernelGradient(d);
  tf.registerGradient({ kernelName: d.name, inputsToSave: [...d.inputs], outputsToSave: [...outputsToSave], gradFunc });
}

for (const descriptor of KERNEL_DESCRIPTORS) registerKernelGradient(descriptor);
