/**
 * `RecurSumOfSquares`: Σₖ Σᵢ xₖ[i]² over a list of float32 tensors, one float32 scalar,
 * in one kernel: what a global gradient norm (√ of it) reads from every gradient.
 *
 * Why a kernel: `addN(tensors.map((t) => sum(square(t))))` is 2n + 1 tfjs ops for n
 * tensors, each several µs of dispatch whatever its size. The norm of a small LSTM's four
 * gradients (W3: 6,800 values), in CPU µs per norm on a loaded machine (2026-12-06):
 * those ops 21–26 on wasm and 40–43 on cpu; one `sum(square)` per tensor and the scalars
 * read in JavaScript 21 / 38; every gradient read into JavaScript and squared there 23 / 7
 * (wasm copies each out of its heap; webgl and webgpu would read each back from the
 * device); this kernel 4–6 / 9–11. One kernel over the whole list keeps a single dispatch
 * and a single read on every backend. It takes a list, which no descriptor describes
 * (their inputs are named), and needs no gradient, so it is a plain tfjs kernel: backends
 * register `sumOfSquaresKernel`, the others run `reference`.
 *
 * Rounding, as `reference` on tfjs' cpu backend: each square rounded to float32, each
 * tensor's sum accumulated in float64 and rounded to float32, the tensors' sums added in
 * float32 in list order. A fused kernel that does the same gives the same bits there.
 */
import * as tf from '@tensorflow/tfjs-core';
import { badArgument } from '../errors.js';
import { isTensor } from '../validation/tensor.js';

/** tfjs kernel name of the sum of squares over a list of tensors (inputs keyed `0`, `1`, …). */
export const RecurSumOfSquares = 'RecurSumOfSquares';

function expectFloatTensors(tensors: unknown): readonly tf.Tensor[] {
  if (!Array.isArray(tensors)) throw badArgument('BAD_DATA', 'sumOfSquares tensors', 'an array of tensors', tensors);
  tensors.forEach((t, i) => {
    if (!isTensor(t) || t.dtype !== 'float32') {
      const received = isTensor(t) ? `dtype ${t.dtype}` : t;
      throw badArgument('BAD_DATA', `sumOfSquares tensors[${i}]`, 'a float32 tensor', received);
    }
  });
  return tensors;
}

/** The sum of squares in tfjs ops: `addN` of each tensor's `sum(square(x))`. The caller owns it. */
function reference(tensors: readonly tf.Tensor[]): tf.Scalar {
  return tf.tidy(() => tf.addN(tensors.map((t) => tf.sum(tf.square(t)))) as tf.Scalar);
}

/**
 * Σ x² over every element of every tensor in `tensors`, as a float32 scalar (0 for an
 * empty list): the backend's fused kernel where it registered one, tfjs ops otherwise.
 * Not differentiable. The caller owns the result; `tensors` are neither kept nor disposed.
 */
export function sumOfSquares(tensors: readonly tf.Tensor[]): tf.Scalar {
  const list = expectFloatTensors(tensors);
  if (list.length === 0) return tf.scalar(0);
  if (tf.getKernel(RecurSumOfSquares, tf.getBackend()) == null) return reference(list);
  const inputs: tf.NamedTensorMap = Object.fromEntries(list.map((t, i) => [String(i), t]));
  return tf.engine().runKernel(RecurSumOfSquares, inputs) as tf.Scalar;
}

/** How a backend computes one tensor's part and hands back the scalar. */
export interface SumOfSquaresFunctions<Backend> {
  /** Σ fround(x²) over `info`'s elements, accumulated in float64. */
  partial(info: tf.TensorInfo, backend: Backend): number;
  /** A float32 scalar of `value` on `backend`. */
  scalar(value: number, backend: Backend): tf.TensorInfo;
}

/** The `RecurSumOfSquares` kernel of `backendName`, from its per-tensor sum (see the rounding above). */
export function sumOfSquaresKernel<Backend>(
  backendName: string,
  functions: SumOfSquaresFunctions<Backend>,
): tf.KernelConfig {
  const kernelFunc: tf.KernelFunc = ({ inputs, backend }) => {
    let total = 0;
    for (const [key, info] of Object.entries(inputs)) {
      if (info?.dtype !== 'float32') {
        throw badArgument('BAD_DATA', `${RecurSumOfSquares} input '${key}'`, 'a float32 tensor', info);
      }
      total = Math.fround(total + Math.fround(functions.partial(info, backend as Backend)));
    }
    return functions.scalar(total, backend as Backend);
  };
  return { kernelName: RecurSumOfSquares, backendName, kernelFunc };
}
