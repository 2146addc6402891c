import type { TensorInfo } from '@tensorflow/tfjs-core';

/** A linear scan's steps `[B, T, ...rest]` viewed as `[B, T, F]`. */
export interface ScanDims {
  readonly batch: number;
  readonly time: number;
  readonly features: number;
  /** `[B, ...rest]`: one step's state. */
  readonly stateShape: number[];
}

export function scanDims(steps: TensorInfo): ScanDims {
  const [batch, time, ...rest] = steps.shape as [number, number, ...number[]];
  return { batch, time, features: rest.reduce((a, b) => a * b, 1), stateShape: [batch, ...rest] };
}

/** Input time of processing step s. */
export function timeAt(s: number, time: number, reverse: boolean): number {
  return reverse ? time - 1 - s : s;
}
