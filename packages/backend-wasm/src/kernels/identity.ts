/**
 * tfjs' wasm `Identity` shares its input's memory instead of copying it, as tfjs' wasm
 * `Reshape` and tfjs' cpu `Identity` already do. Why: tfjs' engine runs `Identity` on every
 * tensor a kernel saves for its gradient (`Engine.clone`), and on wasm each one was a
 * `malloc` and a copy: 19 of a small LSTM's 45 kernels per training step (W3). Sharing is
 * safe for the same reason `Reshape`'s is: no kernel writes into its inputs, a tensor's
 * memory is freed when the last tensor holding it is disposed (the backend counts them),
 * and `Variable.assign` swaps memory rather than writing into it. Strings keep tfjs' kernel.
 */
import * as tf from '@tensorflow/tfjs-core';

const RECUR = Symbol('recur identity');

/** What this kernel uses of tfjs' wasm backend: its count of tensors per memory block. */
interface RefCounting {
  incRef(dataId: object): void;
}

/** Puts the sharing `Identity` in front of tfjs' registered wasm one (once). */
export function installIdentity(): void {
  const original = tf.getKernel(tf.Identity, 'wasm');
  if (original == null || (original as { [RECUR]?: true })[RECUR]) return;
  const copy = original.kernelFunc;
  const kernelFunc: tf.KernelFunc = (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    if (x.dtype === 'string') return copy(args);
    (args.backend as unknown as RefCounting).incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  };
  tf.unregisterKernel(tf.Identity, 'wasm');
  tf.registerKernel({ ...original, kernelFunc, [RECUR]: true } as tf.KernelConfig);
}
