/**
 * Shape checks of the linear scan's inputs: steps `[B, T, ...rest]`, states `[B, ...rest]`,
 * mask `[B, T]`, refused by name when they disagree (WGSL would clamp the reads instead).
 */
import { badArgument } from '@recur/core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { expectShape } from './sequence-shapes.js';

/** The steps seen as `[B, T, F]`, F the product of the trailing axes, and the shapes to give back. */
export interface ScanDims {
  readonly batch: number;
  readonly time: number;
  readonly features: number;
  readonly stepShape: number[];
  readonly stateShape: number[];
}

/** Dims from `steps[0]`, every step, state and the mask checked against them. */
export function scanDims(
  kernel: string,
  t: Readonly<Record<string, TensorInfo>>,
  steps: readonly string[],
  states: readonly string[],
): ScanDims {
  const lead = t[steps[0] as string] as TensorInfo;
  if (lead.shape.length < 2) {
    throw badArgument('SHAPE_MISMATCH', `${kernel} input '${steps[0]}'`, 'rank 2 or more [batch, time, ...]', lead);
  }
  const [batch, time, ...rest] = lead.shape as [number, number, ...number[]];
  const dims = {
    batch,
    time,
    features: rest.reduce((p, n) => p * n, 1),
    stepShape: [batch, time, ...rest],
    stateShape: [batch, ...rest],
  };
  for (const name of steps) expectShape(kernel, name, t[name] as TensorInfo, dims.stepShape);
  for (const name of states) expectShape(kernel, name, t[name] as TensorInfo, dims.stateShape);
  expectShape(kernel, 'mask', t.mask as TensorInfo, [batch, time]);
  return dims;
}
