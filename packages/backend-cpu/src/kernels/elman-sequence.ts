/** `elmanSequence` (core's `RecurElmanSequence`) fused on the cpu backend: elman.ts on the tensors' arrays. */
import { elmanSequence, RecurElmanSequence, RecurElmanSequenceGrad } from '@recur/core';
import { fusedKernel } from '@recur/core/kernel-api';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { runRows } from '../threads/split-rows.js';
import { arraysOf, outputsOn, sequenceDims } from './arrays.js';

export const elmanSequenceCpu = fusedKernel(elmanSequence, 'cpu', {
  forward(inputs, attrs, backend: MathBackendCPU) {
    const d = sequenceDims(inputs);
    const out = runRows(backend, 'elmanForward', arraysOf(RecurElmanSequence, backend, inputs), d, attrs);
    const { batch: B, time: T, units: H } = d;
    const make = outputsOn(backend);
    return { ys: make([B, T, H], out.ys), hT: make([B, H], out.hT), hs: make([T, B, H], out.hs) };
  },
  backward(inputs, attrs, backend: MathBackendCPU) {
    const d = sequenceDims(inputs);
    const g = runRows(backend, 'elmanBackward', arraysOf(RecurElmanSequenceGrad, backend, inputs), d, attrs);
    const { batch: B, time: T, input: I, units: H } = d;
    const make = outputsOn(backend);
    return {
      x: make([B, T, I], g.dx),
      kernel: make([I, H], g.dKernel),
      recurrentKernel: make([H, H], g.dRecurrentKernel),
      bias: make([H], g.dBias),
      h0: make([B, H], g.dh0),
    };
  },
});
