/**
 * `wkvSequence` (core's `RecurWkvSequence`, RWKV-4's stabilised WKV recurrence; the
 * equations and the gradient's derivation are in core's kernels/wkv-sequence.ts) fused on
 * the cpu backend: one pass over time per batch row, a plain loop over channels, a dozen
 * flops and four exponentials per element per step, no tensor per step.
 */
import { RecurWkvSequence, RecurWkvSequenceGrad, wkvSequence } from '@recur/core';
import { fusedKernel } from '@recur/core/kernel-api';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { runRows } from '../threads/split-rows.js';
import { arraysOf, outputsOn } from './arrays.js';
import type { WkvDims } from './wkv.js';

function dims(k: { readonly shape: readonly number[] }): WkvDims {
  const [batch, time, channels] = k.shape as [number, number, number];
  return { batch, time, channels };
}

export const wkvSequenceCpu = fusedKernel(wkvSequence, 'cpu', {
  forward(inputs, attrs, backend: MathBackendCPU) {
    const d = dims(inputs.k);
    const out = runRows(backend, 'wkvForward', arraysOf(RecurWkvSequence, backend, inputs), d, attrs.reverse);
    const make = outputsOn(backend);
    const [steps, state] = [
      [d.batch, d.time, d.channels],
      [d.batch, d.channels],
    ];
    return {
      wkv: make(steps, out.wkv),
      numT: make(state, out.numT),
      denT: make(state, out.denT),
      maxT: make(state, out.maxT),
      nums: make(steps, out.nums),
      dens: make(steps, out.dens),
      maxs: make(steps, out.maxs),
    };
  },
  backward(inputs, attrs, backend: MathBackendCPU) {
    const d = dims(inputs.k);
    const g = runRows(backend, 'wkvBackward', arraysOf(RecurWkvSequenceGrad, backend, inputs), d, attrs.reverse);
    const make = outputsOn(backend);
    const [steps, state] = [
      [d.batch, d.time, d.channels],
      [d.batch, d.channels],
    ];
    return {
      k: make(steps, g.dk),
      v: make(steps, g.dv),
      w: make([d.channels], g.dw),
      u: make([d.channels], g.du),
      num0: make(state, g.dnum0),
      den0: make(state, g.dden0),
      max0: make(state, g.dmax0),
    };
  },
});
