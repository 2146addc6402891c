/** Runs code with tfjs' own cpu kernels in place of the ones Recur puts in front of them (kernels/in-front.ts). */
import * as tf from '@tensorflow/tfjs-core';
import { stockKernel } from '../src/kernels/in-front.js';

/** `f` with tfjs' own cpu kernel `name` registered in place of Recur's, which is put back after. */
export function withStock<T>(name: string, f: () => T): T {
  const [recur, stock] = [tf.getKernel(name, 'cpu') as tf.KernelConfig, stockKernel(name) as tf.KernelConfig];
  tf.unregisterKernel(name, 'cpu');
  tf.registerKernel(stock);
  try {
    return f();
  } finally {
    tf.unregisterKernel(name, 'cpu');
    tf.registerKernel(recur);
  }
}

/** The values of `f()` with Recur's kernels, then with tfjs' own for `names` (`f` makes a tensor, which is disposed). */
export function bothWays(names: string[], f: () => tf.Tensor): [tf.TypedArray, tf.TypedArray] {
  const run = () => {
    const t = tf.tidy(f);
    const values = t.dataSync() as tf.TypedArray;
    t.dispose();
    return values;
  };
  const recur = run();
  const stock = names.reduceRight((g, name) => () => withStock(name, g), run)();
  return [recur, stock];
}
