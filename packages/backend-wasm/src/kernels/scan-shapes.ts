/**
 * Shape checks of the linear-scan kernels' inputs: steps `[B, T, ...rest]`, states
 * `[B, ...rest]`, mask `[B, T]`. The module trusts its sizes, so a mismatched tensor is
 * refused here, naming it.
 */
import { badArgument } from '@recur/core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { expectShape } from './heap.js';

/** Steps viewed as `[B, T, F]`. */
export interface ScanDims {
  readonly batch: number;
  readonly time: number;
  readonly features: number;
  readonly stepShape: number[];
  readonly stateShape: number[];
}

/** Dims from the first of `steps`, after checking every step, state and the mask against them. */
export function scanDims(
  kernel: string,
  t: Readonly<Record<string, TensorInfo>>,
  steps: readonly string[],
  states: readonly string[],
): ScanDims {
  const first = t[steps[0] as string] as TensorInfo;
  if (first.shape.length < 2) {
    throw badArgument('SHAPE_MISMATCH', `${kernel} input '${steps[0]}'`, 'rank 2 or more [batch, time, ...]', first);
  }
  const [batch, time, ...rest] = first.shape as [number, number, ...number[]];
  const stepShape = [batch, time, ...rest];
  const stateShape = [batch, ...rest];
  for (const name of steps) expectShape(kernel, name, t[name] as TensorInfo, stepShape);
  for (const name of states) expectShape(kernel, name, t[name] as TensorInfo, stateShape);
  expectShape(kernel, 'mask', t.mask as TensorInfo, [batch, time]);
  const features = rest.reduce((a, b) => a * b, 1);
  // Offsets are i32 in the module: six step-sized tensors at most in one call.
  if (6 * batch * time * features * 4 > 2 ** 31 - 2 ** 26) {
    throw badArgument('NOT_SUPPORTED', `${kernel} sizes`, 'under 2 GiB of tensors for one call', first);
  }
  return { batch, time, features, stepShape, stateShape };
}
