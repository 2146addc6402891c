/**
 * `logLinearScan` (core's `RecurLogLinearScan` and `RecurLogLinearScanGrad`) on the wasm
 * backend: asm/log-linear-scan.ts on the tensors in tfjs' heap.
 */
import { logLinearScan, RecurLogLinearScan, RecurLogLinearScanGrad } from '@recur/core';
import { fusedKernel } from '@recur/core/kernel-api';
import { runInHeap } from './heap.js';
import { scanDims } from './scan-shapes.js';

const none = () => 0;

export const logLinearScanWasm = fusedKernel(logLinearScan, 'wasm', {
  forward(t, attrs, backend: object) {
    const d = scanDims(RecurLogLinearScan, t, ['logA', 'logB'], ['logH0']);
    return runInHeap(
      backend,
      { logHs: d.stepShape, logHT: d.stateShape },
      none,
      ({ kernels, at, outputs: o, batch }) => {
        kernels.logLinearScanForward(
          batch,
          d.time,
          d.features,
          at(t.logA),
          at(t.logB),
          at(t.logH0),
          at(t.mask),
          attrs.reverse,
          o.logHs,
          o.logHT,
        );
      },
      { batch: d.batch, inputs: t },
    );
  },
  backward(t, attrs, backend: object) {
    const d = scanDims(RecurLogLinearScanGrad, t, ['logA', 'logB', 'logHs', 'dlogHs'], ['logH0', 'dlogHT']);
    return runInHeap(
      backend,
      { logA: d.stepShape, logB: d.stepShape, logH0: d.stateShape },
      none,
      ({ kernels, at, outputs: o, batch }) => {
        kernels.logLinearScanBackward(
          batch,
          d.time,
          d.features,
          at(t.logA),
          at(t.logB),
          at(t.logH0),
          at(t.mask),
          at(t.logHs),
          at(t.dlogHs),
          at(t.dlogHT),
          attrs.reverse,
          o.logA,
          o.logB,
          o.logH0,
        );
      },
      { batch: d.batch, inputs: t },
    );
  },
});
