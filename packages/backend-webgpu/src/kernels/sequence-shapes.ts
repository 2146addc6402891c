/**
 * Shape checks of the gated sequence kernels' inputs (core's `sequence-inputs.ts`
 * layouts). WGSL clamps out-of-range reads instead of failing, so a mismatched tensor
 * handed straight to `runKernel` would give silent garbage: it is refused here, named.
 */
import { badArgument } from '@recur/core';
import { expectShape } from '@recur/core/kernel-api';
import type { TensorInfo } from '@tensorflow/tfjs-core';

/** B, T, I, H and the gate blocks G of one call. */
export interface SequenceDims {
  readonly batch: number;
  readonly time: number;
  readonly input: number;
  readonly units: number;
  readonly gates: number;
}

/**
 * The dims from `x [B,T,I]` and `h0 [B,H]`, after checking every other tensor of `t`
 * that has a layout: weights of `gates` blocks, `bias` (`biasRows` rows of G·H, one row
 * as a vector), states, mask, workspaces `[T,B,·]` (`workspaceGates` blocks of gates)
 * and output gradients.
 */
export function sequenceDims(
  kernel: string,
  t: Readonly<Record<string, TensorInfo>>,
  gates: number,
  layout: { readonly biasRows: number; readonly workspaceGates: number },
): SequenceDims {
  const x = t.x as TensorInfo;
  const h0 = t.h0 as TensorInfo;
  if (x.shape.length !== 3)
    throw badArgument('SHAPE_MISMATCH', `${kernel} input 'x'`, 'rank 3 [batch, time, features]', x);
  if (h0.shape.length !== 2) throw badArgument('SHAPE_MISMATCH', `${kernel} input 'h0'`, 'rank 2 [batch, units]', h0);
  const [batch, time, input] = x.shape as [number, number, number];
  const units = h0.shape[1] as number;
  const width = gates * units;
  const state = [batch, units];
  const steps = [time, batch, units];
  const expected: Record<string, readonly number[]> = {
    kernel: [input, width],
    recurrentKernel: [units, width],
    bias: layout.biasRows === 1 ? [width] : [layout.biasRows, width],
    c0: state,
    mask: [batch, time],
    gates: [time, batch, layout.workspaceGates * units],
    hs: steps,
    cs: steps,
    dys: [batch, time, units],
    dhT: state,
    dcT: state,
  };
  for (const [name, info] of Object.entries(t)) {
    const shape = expected[name];
    if (shape !== undefined) expectShape(kernel, name, info, shape);
  }
  return { batch, time, input, units, gates };
}

/**
 * Input time of each processing step with the input time of the step before it (−1 at
 * the first step, which starts from the initial state): `[t, previous]` pairs.
 */
export function processingSteps(time: number, reverse: boolean): [number, number][] {
  return Array.from({ length: time }, (_, s) => {
    const t = reverse ? time - 1 - s : s;
    return [t, s === 0 ? -1 : reverse ? t + 1 : t - 1];
  });
}
