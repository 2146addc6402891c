/** `slstmSequence` (core's `RecurSlstmSequence`) fused on the cpu backend: slstm.ts on the tensors' arrays. */
import { RecurSlstmSequence, RecurSlstmSequenceGrad, slstmSequence } from '@recur/core';
import { fusedKernel } from '@recur/core/kernel-api';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { runRows } from '../threads/split-rows.js';
import { arraysOf, outputsOn, sequenceDims } from './arrays.js';
import type { SlstmDims } from './slstm.js';

function dims(inputs: {
  readonly x: TensorInfo;
  readonly h0: TensorInfo;
  readonly recurrentKernel: TensorInfo;
}): SlstmDims {
  return { ...sequenceDims(inputs), heads: inputs.recurrentKernel.shape[0] as number };
}

export const slstmSequenceCpu = fusedKernel(slstmSequence, 'cpu', {
  forward(inputs, attrs, backend: MathBackendCPU) {
    const d = dims(inputs);
    const out = runRows(backend, 'slstmForward', arraysOf(RecurSlstmSequence, backend, inputs), d, attrs);
    const { batch: B, time: T, units: U } = d;
    const make = outputsOn(backend);
    return {
      ys: make([B, T, U], out.ys),
      hT: make([B, U], out.hT),
      cT: make([B, U], out.cT),
      nT: make([B, U], out.nT),
      mT: make([B, U], out.mT),
      pre: make([T, B, 4 * U], out.pre),
      hs: make([T, B, U], out.hs),
      cs: make([T, B, U], out.cs),
      ns: make([T, B, U], out.ns),
      ms: make([T, B, U], out.ms),
    };
  },
  backward(inputs, attrs, backend: MathBackendCPU) {
    const d = dims(inputs);
    const g = runRows(backend, 'slstmBackward', arraysOf(RecurSlstmSequenceGrad, backend, inputs), d, attrs);
    const { batch: B, time: T, input: I, units: U } = d;
    const make = outputsOn(backend);
    return {
      x: make([B, T, I], g.dx),
      kernel: make([I, 4 * U], g.dKernel),
      recurrentKernel: make(inputs.recurrentKernel.shape, g.dRecurrentKernel),
      bias: make([4 * U], g.dBias),
      h0: make([B, U], g.dh0),
      c0: make([B, U], g.dc0),
      n0: make([B, U], g.dn0),
      m0: make([B, U], g.dm0),
    };
  },
});
