/**
 * `linearScan` (core's `RecurLinearScan`, h_t = a_t ⊙ h_{t−1} + b_t) fused on the cpu
 * backend: sequential in time, a plain loop over each row's features, a few flops per
 * element per step (the log-depth form of the reference does log₂ T times more work).
 */
import { linearScan, RecurLinearScan, RecurLinearScanGrad } from '@recur/core';
import { fusedKernel } from '@recur/core/kernel-api';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { runRows } from '../threads/split-rows.js';
import { arraysOf, outputsOn } from './arrays.js';
import { scanDims } from './scan-dims.js';

export const linearScanCpu = fusedKernel(linearScan, 'cpu', {
  forward(inputs, attrs, backend: MathBackendCPU) {
    const d = scanDims(inputs.a);
    const out = runRows(backend, 'linearScanForward', arraysOf(RecurLinearScan, backend, inputs), d, attrs.reverse);
    const make = outputsOn(backend);
    return { hs: make([...inputs.a.shape], out.hs), hT: make(d.stateShape, out.hT) };
  },
  backward(inputs, attrs, backend: MathBackendCPU) {
    const d = scanDims(inputs.a);
    const g = runRows(backend, 'linearScanBackward', arraysOf(RecurLinearScanGrad, backend, inputs), d, attrs.reverse);
    const make = outputsOn(backend);
    return { a: make([...inputs.a.shape], g.da), b: make([...inputs.a.shape], g.db), h0: make(d.stateShape, g.dh0) };
  },
});
