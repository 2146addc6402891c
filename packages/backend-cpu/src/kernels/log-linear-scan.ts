/**
 * `logLinearScan` (core's `RecurLogLinearScan`, log h_t = logaddexp(log a_t + log h_{t−1},
 * log b_t)) fused on the cpu backend, sequential in time as linear-scan.ts. Gradient
 * weights w_t = exp(log a_t + L_{t−1} − L_t) and v_t = exp(log b_t − L_t) are 0 where
 * L_t = −∞ (h_t = 0), where the exponents would be NaN.
 */
import { logLinearScan, RecurLogLinearScan, RecurLogLinearScanGrad } from '@recur/core';
import { fusedKernel } from '@recur/core/kernel-api';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { runRows } from '../threads/split-rows.js';
import { arraysOf, outputsOn } from './arrays.js';
import { scanDims } from './scan-dims.js';

export const logLinearScanCpu = fusedKernel(logLinearScan, 'cpu', {
  forward(inputs, attrs, backend: MathBackendCPU) {
    const d = scanDims(inputs.logA);
    const out = runRows(
      backend,
      'logLinearScanForward',
      arraysOf(RecurLogLinearScan, backend, inputs),
      d,
      attrs.reverse,
    );
    const make = outputsOn(backend);
    return { logHs: make([...inputs.logA.shape], out.logHs), logHT: make(d.stateShape, out.logHT) };
  },
  backward(inputs, attrs, backend: MathBackendCPU) {
    const d = scanDims(inputs.logA);
    const g = runRows(
      backend,
      'logLinearScanBackward',
      arraysOf(RecurLogLinearScanGrad, backend, inputs),
      d,
      attrs.reverse,
    );
    const make = outputsOn(backend);
    const shape = [...inputs.logA.shape];
    return { logA: make(shape, g.dLogA), logB: make(shape, g.dLogB), logH0: make(d.stateShape, g.dLogH0) };
  },
});
