import * as tf from '@tensorflow/tfjs-core';

/**
 * WGSL's `pow` is `exp2(y·log2(x))`, a few ULPs from the correctly rounded power, while
 * tfjs' cpu backend rounds `Math.pow`. tfjs' Adam restores `β^t` with `pow` when its
 * weights are set, so on webgpu a run resumed from a checkpoint drifts from the run that
 * never stopped by that ULP. tfjs' webgpu backend already computes small binary ops on
 * the CPU when their inputs live there (`WEBGPU_CPU_FORWARD`), except `Pow`: this kernel
 * adds it, for float32 operands of equal shape or a scalar against anything.
 */

interface CpuForwarding {
  shouldExecuteOnCPU(inputs: tf.TensorInfo[]): boolean;
  readSync(dataId: object): tf.backend_util.BackendValues;
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: tf.backend_util.BackendValues): tf.TensorInfo;
}

export function powKernel(original: tf.KernelConfig): tf.KernelConfig {
  return {
    kernelName: tf.Pow,
    backendName: 'webgpu',
    kernelFunc: (args) => {
      const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
      const backend = args.backend as unknown as CpuForwarding;
      const size = (t: tf.TensorInfo) => t.shape.reduce((p, n) => p * n, 1);
      const simple = size(a) === 1 || size(b) === 1 || a.shape.join() === b.shape.join();
      if (a.dtype !== 'float32' || b.dtype !== 'float32' || !simple || !backend.shouldExecuteOnCPU([a, b])) {
        return original.kernelFunc(args);
      }
      const shape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
      const x = backend.readSync(a.dataId) as Float32Array;
      const y = backend.readSync(b.dataId) as Float32Array;
      const out = new Float32Array(shape.reduce((p, n) => p * n, 1));
      for (let i = 0; i < out.length; i++) {
        out[i] = (x[x.length === 1 ? 0 : i] as number) ** (y[y.length === 1 ? 0 : i] as number);
      }
      return backend.makeTensorInfo(shape, 'float32', out);
    },
  };
}

let registered = false;

/** Puts {@link powKernel} in place of tfjs' webgpu Pow, once. */
export function registerPowKernel(): boolean {
  const original = tf.getKernel(tf.Pow, 'webgpu');
  if (registered || original === undefined) return registered;
  tf.unregisterKernel(tf.Pow, 'webgpu');
  tf.registerKernel(powKernel(original));
  registered = true;
  return true;
}
