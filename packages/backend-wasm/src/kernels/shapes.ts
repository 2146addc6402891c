/**
 * Shape checks of the sequence kernels' inputs (core's `kernels/sequence-inputs.ts` layouts). The
 * WebAssembly module trusts its sizes, so a mismatched tensor is refused here, naming it,
 * rather than read past its end.
 */
import { badArgument } from '@recur/core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { expectShape } from './heap.js';

export interface SequenceDims {
  readonly batch: number;
  readonly time: number;
  readonly input: number;
  readonly units: number;
}

/**
 * B, T, I, H from `x [B,T,I]` and `h0 [B,H]`, after checking every other tensor present
 * in `t` against them: weights with `gates` blocks, `bias [G·H]` (or `[2, G·H]` when
 * `twoRowBias`), states `[B,H]`, mask `[B,T]`, workspaces `[T,B,·]` and output gradients.
 */
export function sequenceDims(
  kernel: string,
  t: Readonly<Record<string, TensorInfo>>,
  gates: number,
  options: { twoRowBias?: boolean; workspaceGates?: number } = {},
): SequenceDims {
  const x = t.x as TensorInfo;
  const h0 = t.h0 as TensorInfo;
  if (x.shape.length !== 3)
    throw badArgument('SHAPE_MISMATCH', `${kernel} input 'x'`, 'rank 3 [batch, time, features]', x);
  if (h0.shape.length !== 2) throw badArgument('SHAPE_MISMATCH', `${kernel} input 'h0'`, 'rank 2 [batch, units]', h0);
  const [batch, time, input] = x.shape as [number, number, number];
  const units = h0.shape[1] as number;
  const G = gates * units;
  const expected: Record<string, number[]> = {
    kernel: [input, G],
    recurrentKernel: [units, G],
    bias: options.twoRowBias ? [2, G] : [G],
    h0: [batch, units],
    c0: [batch, units],
    mask: [batch, time],
    gates: [time, batch, (options.workspaceGates ?? gates) * units],
    hs: [time, batch, units],
    cs: [time, batch, units],
    dys: [batch, time, units],
    dhT: [batch, units],
    dcT: [batch, units],
  };
  for (const [name, info] of Object.entries(t)) {
    const shape = expected[name];
    if (shape !== undefined) expectShape(kernel, name, info, shape);
  }
  // The module addresses the heap with 32-bit offsets computed in i32: a bound on the
  // workspace, scratch and outputs of one call keeps every offset below 2³¹.
  const floats = time * batch * (3 * (gates + 1) * units + 4 * input) + 3 * (gates + 1) * units * (units + input);
  if (floats * 4 > 2 ** 31 - 2 ** 26) {
    throw badArgument('NOT_SUPPORTED', `${kernel} sizes`, 'under 2 GiB of workspace for one call', x);
  }
  return { batch, time, input, units };
}

/**
 * Where the recurrent kernels keep their batch (threads/split-call.ts): workspaces are
 * `[T, B, …]`, weights are read whole and their gradients summed over rows; the rest is
 * `[B, …]`.
 */
export const RECURRENT_LAYOUT = {
  timeMajor: ['gates', 'hs', 'cs'],
  whole: ['kernel', 'recurrentKernel', 'bias'],
} as const;
