import { badArgument } from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';

type Shaped = { readonly data: Int32Array | Float32Array | Uint8Array; readonly shape: readonly number[] };

/**
 * A tfjs tensor holding a copy of `array`: int32 from an Int32Array, float32 from a
 * Float32Array, bool from a Uint8Array mask. The caller owns the tensor and disposes it.
 */
export function toTensor(array: Shaped): tf.Tensor {
  const a = array as Partial<Shaped> | null;
  const data = a?.data;
  const shape = a?.shape;
  const ok =
    (data instanceof Int32Array || data instanceof Float32Array || data instanceof Uint8Array) &&
    Array.isArray(shape) &&
    shape.every((d) => Number.isInteger(d) && d >= 0) &&
    shape.reduce((p, d) => p * d, 1) === data.length;
  if (!ok)
    throw badArgument(
      'BAD_DATA',
      'array',
      '{data: Int32Array | Float32Array | Uint8Array, shape} of matching size',
      array,
    );
  const dtype = data instanceof Float32Array ? 'float32' : data instanceof Int32Array ? 'int32' : 'bool';
  // A copy: tfjs may keep the array it is given, and the caller may reuse theirs.
  return tf.tensor(data.slice(), [...shape], dtype);
}
