/**
 * Shape checks a backend's fused kernel runs before it touches memory: a WebAssembly
 * module trusts its sizes and WGSL clamps out-of-range reads, so a mismatched tensor
 * would give a crash or silent garbage instead of an error naming it.
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { badArgument } from '../errors.js';

/** Throws `SHAPE_MISMATCH` naming input `name` of `kernel` unless its shape is `shape`. */
export function expectShape(kernel: string, name: string, info: TensorInfo, shape: readonly number[]): void {
  if (info.shape.length !== shape.length || info.shape.some((d, i) => d !== shape[i])) {
    throw badArgument('SHAPE_MISMATCH', `${kernel} input '${name}'`, `shape [${shape.join(', ')}]`, info);
  }
}

/** A linear scan's sizes: steps `[B, T, ...rest]` seen as `[B, T, F]`, F the product of `rest`. */
export interface ScanDims {
  readonly batch: number;
  readonly time: number;
  readonly features: number;
  readonly stepShape: number[];
  readonly stateShape: number[];
}

/**
 * The dims of a linear-scan kernel's call from the first of `steps`, after checking every
 * step `[B, T, ...rest]`, every state `[B, ...rest]` and the mask `[B, T]` against them.
 */
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
  return { batch, time, features: rest.reduce((a, b) => a * b, 1), stepShape, stateShape };
}
