/**
 * The cpu backend's tensors as typed arrays: what every fused kernel here reads and writes.
 * The cpu backend keeps each tensor's values in one array, so reading is free and each
 * output is handed over without a copy.
 */
import { badArgument } from '@recur/core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { SequenceDims } from './sequence-common.js';

/** The float32 values of each named tensor. */
export function arraysOf<K extends PropertyKey>(
  kernel: string,
  backend: MathBackendCPU,
  infos: { readonly [N in K]: TensorInfo },
): { [N in K]: Float32Array } {
  const out = {} as { [N in K]: Float32Array };
  for (const name of Object.keys(infos) as (K & string)[]) {
    const info = infos[name];
    if (info?.dtype !== 'float32') {
      throw badArgument('BAD_DATA', `${kernel} input '${name}'`, 'a float32 tensor', info);
    }
    out[name] = backend.data.get(info.dataId).values as Float32Array;
  }
  return out;
}

/** Makes float32 outputs on `backend`, each taking its array as is. */
export function outputsOn(backend: MathBackendCPU) {
  return (shape: number[], values: Float32Array): TensorInfo => backend.makeTensorInfo(shape, 'float32', values);
}

/** B, T, I from `x [B,T,I]`, H from `h0 [B,H]`. */
export function sequenceDims(inputs: { readonly x: TensorInfo; readonly h0: TensorInfo }): SequenceDims {
  const [batch, time, input] = inputs.x.shape as [number, number, number];
  return { batch, time, input, units: inputs.h0.shape[1] as number };
}
