/**
 * `RecurSumOfSquares` (core's `sumOfSquares`, Σ x² over a list of tensors) on the cpu
 * backend: one pass over each tensor's array, in place, instead of a `Square` and a `Sum`
 * per tensor and an `AddN`. Each square rounded to float32, the sum in float64, as those
 * three kernels compute it here: the same bits.
 */
import { sumOfSquaresKernel } from '@recur/core/kernel-api';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';

export const sumOfSquaresCpu = sumOfSquaresKernel('cpu', {
  partial(info, backend: MathBackendCPU) {
    const values = backend.data.get(info.dataId).values as Float32Array;
    let sum = 0;
    for (let i = 0; i < values.length; i++) {
      const x = values[i] as number;
      sum += Math.fround(x * x);
    }
    return sum;
  },
  scalar: (value, backend: MathBackendCPU) => backend.makeTensorInfo([], 'float32', new Float32Array([value])),
});
