/**
 * `minRnnScan` (core's `RecurMinRnnScan`: minGRU's or minLSTM's gates, candidate and
 * linear recurrence from the projected pre-activations) fused on the cpu backend, split by
 * batch rows over the thread pool where the backend has one (min-rnn-scan-arrays.ts).
 */
import { minRnnScan, RecurMinRnnScan, RecurMinRnnScanGrad } from '@recur/core';
import { fusedKernel } from '@recur/core/kernel-api';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { runRows } from '../threads/split-rows.js';
import { arraysOf, outputsOn } from './arrays.js';
import type { MinRnnAttrs } from './min-rnn-scan-arrays.js';

function dims(pre: TensorInfo, h0: TensorInfo) {
  const [batch, time, width] = pre.shape as [number, number, number];
  const units = h0.shape[1] as number;
  return { batch, time, width, units };
}

/** Only the attributes the arrays need: what goes to the workers must be plain data. */
const attrsOf = (a: MinRnnAttrs): MinRnnAttrs => ({ gates: a.gates, candidate: a.candidate, reverse: a.reverse });

export const minRnnScanCpu = fusedKernel(minRnnScan, 'cpu', {
  forward(inputs, attrs, backend: MathBackendCPU) {
    const d = dims(inputs.pre, inputs.h0);
    const out = runRows(backend, 'minRnnScanForward', arraysOf(RecurMinRnnScan, backend, inputs), d, attrsOf(attrs));
    const make = outputsOn(backend);
    return { hs: make([d.batch, d.time, d.units], out.hs), hT: make([d.batch, d.units], out.hT) };
  },
  backward(inputs, attrs, backend: MathBackendCPU) {
    const d = dims(inputs.pre, inputs.h0);
    const g = runRows(backend, 'minRnnScanBackward', arraysOf(RecurMinRnnScanGrad, backend, inputs), d, attrsOf(attrs));
    const make = outputsOn(backend);
    return {
      pre: make([d.batch, d.time, d.width], g.dpre),
      bias: make([d.width], g.dBias),
      h0: make([d.batch, d.units], g.dh0),
    };
  },
});
