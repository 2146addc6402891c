/** `gruSequence` (core's `RecurGruSequence`) fused on the cpu backend: gru.ts on the tensors' arrays. */
import { gruSequence, RecurGruSequence, RecurGruSequenceGrad } from '@recur/core';
import { fusedKernel } from '@recur/core/kernel-api';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { runRows } from '../threads/split-rows.js';
import { arraysOf, outputsOn, sequenceDims } from './arrays.js';

/** `[3H]`, or `[2, 3H]` (input and recurrent bias). */
function biasRows(bias: TensorInfo): 1 | 2 {
  return bias.shape.length === 2 ? 2 : 1;
}

export const gruSequenceCpu = fusedKernel(gruSequence, 'cpu', {
  forward(inputs, attrs, backend: MathBackendCPU) {
    const d = sequenceDims(inputs);
    const arrays = arraysOf(RecurGruSequence, backend, inputs);
    const out = runRows(backend, 'gruForward', { ...arrays, biasRows: biasRows(inputs.bias) }, d, attrs);
    const { batch: B, time: T, units: H } = d;
    const make = outputsOn(backend);
    return {
      ys: make([B, T, H], out.ys),
      hT: make([B, H], out.hT),
      gates: make([T, B, (attrs.resetAfter ? 4 : 3) * H], out.gates),
      hs: make([T, B, H], out.hs),
    };
  },
  backward(inputs, attrs, backend: MathBackendCPU) {
    const d = sequenceDims(inputs);
    const arrays = arraysOf(RecurGruSequenceGrad, backend, inputs);
    const g = runRows(backend, 'gruBackward', { ...arrays, biasRows: biasRows(inputs.bias) }, d, attrs);
    const { batch: B, time: T, input: I, units: H } = d;
    const make = outputsOn(backend);
    return {
      x: make([B, T, I], g.dx),
      kernel: make([I, 3 * H], g.dKernel),
      recurrentKernel: make([H, 3 * H], g.dRecurrentKernel),
      bias: make([...inputs.bias.shape], g.dBias),
      h0: make([B, H], g.dh0),
    };
  },
});
