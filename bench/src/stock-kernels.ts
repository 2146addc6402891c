// Imported first: the plug-in package registers tfjs' wasm kernels when it loads.
import '@recur/backend-wasm';
import * as tf from '@tensorflow/tfjs-core';

/**
 * tfjs-layers is the peer as users run it: on stock tfjs kernels. But `@recur/backend-wasm`
 * replaces tfjs' wasm `BatchMatMul` for the whole backend (its product is several times
 * faster), and a peer in the same process would run on it too. This keeps tfjs' own kernel,
 * taken before any plug-in starts, and puts it back while a peer's model is built and timed.
 */
const stock = tf.getKernel(tf.BatchMatMul, 'wasm');

/** Runs `f` with tfjs' own wasm `BatchMatMul` registered, then restores whatever was there. */
export async function withStockBatchMatMul<T>(backend: string, f: () => Promise<T>): Promise<T> {
  const current = tf.getKernel(tf.BatchMatMul, 'wasm');
  if (backend !== 'wasm' || stock === undefined || current === undefined || current === stock) return f();
  tf.unregisterKernel(tf.BatchMatMul, 'wasm');
  tf.registerKernel(stock);
  try {
    return await f();
  } finally {
    tf.unregisterKernel(tf.BatchMatMul, 'wasm');
    tf.registerKernel(current);
  }
}
