/** `lstmSequence` (core's `RecurLstmSequence`) fused on the cpu backend: lstm.ts on the tensors' arrays. */
import { lstmSequence, RecurLstmSequence, RecurLstmSequenceGrad } from '@recur/core';
import { fusedKernel } from '@recur/core/kernel-api';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { runRows } from '../threads/split-rows.js';
import { arraysOf, outputsOn, sequenceDims } from './arrays.js';

export const lstmSequenceCpu = fusedKernel(lstmSequence, 'cpu', {
  forward(inputs, attrs, backend: MathBackendCPU) {
    const d = sequenceDims(inputs);
    const out = runRows(backend, 'lstmForward', arraysOf(RecurLstmSequence, backend, inputs), d, attrs);
    const { batch: B, time: T, units: H } = d;
    const make = outputsOn(backend);
    return {
      ys: make([B, T, H], out.ys),
      hT: make([B, H], out.hT),
      cT: make([B, H], out.cT),
      gates: make([T, B, 4 * H], out.gates),
      hs: make([T, B, H], out.hs),
      cs: make([T, B, H], out.cs),
    };
  },
  backward(inputs, attrs, backend: MathBackendCPU) {
    const d = sequenceDims(inputs);
    const g = runRows(backend, 'lstmBackward', arraysOf(RecurLstmSequenceGrad, backend, inputs), d, attrs);
    const { batch: B, time: T, input: I, units: H } = d;
    const make = outputsOn(backend);
    return {
      x: make([B, T, I], g.dx),
      kernel: make([I, 4 * H], g.dKernel),
      recurrentKernel: make([H, 4 * H], g.dRecurrentKernel),
      bias: make([4 * H], g.dBias),
      h0: make([B, H], g.dh0),
      c0: make([B, H], g.dc0),
    };
  },
});
