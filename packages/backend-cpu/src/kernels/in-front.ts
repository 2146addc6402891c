/**
 * Recur's cpu kernels in front of tfjs' own: the registered config of a tfjs kernel is
 * replaced once by one whose function tries Recur's and falls back to tfjs' for the
 * cases Recur's leaves (it returns undefined). The config keeps the one it replaced.
 */
import * as tf from '@tensorflow/tfjs-core';

/** Marks the configs made here, and keeps the one each replaced (tfjs' own). */
const STOCK = Symbol('tfjs kernel behind Recur');

type KernelArgs = Parameters<tf.KernelFunc>[0];

/** Puts `recur` in front of tfjs' registered cpu kernel `name` (once; again does nothing). */
export function putInFront<A>(name: string, recur: (args: A) => tf.TensorInfo | undefined): void {
  const original = tf.getKernel(name, 'cpu');
  if (original == null || (original as { [STOCK]?: tf.KernelConfig })[STOCK] !== undefined) return;
  const fallback = original.kernelFunc;
  const kernelFunc = ((args: KernelArgs) => recur(args as unknown as A) ?? fallback(args)) as tf.KernelFunc;
  tf.unregisterKernel(name, 'cpu');
  tf.registerKernel({ ...original, kernelFunc, [STOCK]: original } as tf.KernelConfig);
}

/** tfjs' own cpu kernel `name` where `putInFront` replaced it; else undefined. */
export function stockKernel(name: string): tf.KernelConfig | undefined {
  return (tf.getKernel(name, 'cpu') as { [STOCK]?: tf.KernelConfig } | undefined)?.[STOCK];
}
