// Imported first: the plug-in packages register tfjs' cpu and wasm kernels when they load.
import '@recur/backend-cpu';
import '@recur/backend-wasm';
import * as tf from '@tensorflow/tfjs-core';

/**
 * tfjs-layers is the peer as users run it: on stock tfjs kernels. But `@recur/backend-wasm`
 * replaces tfjs' wasm `BatchMatMul`, and `@recur/backend-cpu` tfjs' cpu `BatchMatMul` and
 * `_FusedMatMul`, for the whole backend (their products are several times faster), and a
 * peer in the same process would run on them too. This keeps tfjs' own kernels, taken
 * before any plug-in starts, and puts them back while a peer's model is built and timed.
 */
const REPLACED: Readonly<Record<string, readonly string[]>> = {
  wasm: [tf.BatchMatMul],
  cpu: [tf.BatchMatMul, tf._FusedMatMul],
};
const stock = new Map(
  Object.entries(REPLACED).flatMap(([backend, names]) =>
    names.map((name) => [`${backend}/${name}`, tf.getKernel(name, backend)] as const),
  ),
);

/** Runs `f` with tfjs' own matrix-product kernels on `backend` registered, then restores whatever was there. */
export async function withStockBatchMatMul<T>(backend: string, f: () => Promise<T>): Promise<T> {
  const swapped: tf.KernelConfig[] = [];
  for (const name of REPLACED[backend] ?? []) {
    const [original, current] = [stock.get(`${backend}/${name}`), tf.getKernel(name, backend)];
    if (original === undefined || current === undefined || current === original) continue;
    tf.unregisterKernel(name, backend);
    tf.registerKernel(original);
    swapped.push(current);
  }
  try {
    return await f();
  } finally {
    for (const current of swapped) {
      tf.unregisterKernel(current.kernelName, backend);
      tf.registerKernel(current);
    }
  }
}
