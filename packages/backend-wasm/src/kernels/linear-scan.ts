/**
 * `linearScan` (core's `RecurLinearScan` and `RecurLinearScanGrad`) on the wasm backend:
 * asm/linear-scan.ts on the tensors in tfjs' heap.
 */
import { linearScan, RecurLinearScan, RecurLinearScanGrad } from '@recur/core';
import { fusedKernel } from '@recur/core/kernel-api';
import { runInHeap } from './heap.js';
import { scanDims } from './scan-shapes.js';

const none = () => 0;

export const linearScanWasm = fusedKernel(linearScan, 'wasm', {
  forward(t, attrs, backend: object) {
    const d = scanDims(RecurLinearScan, t, ['a', 'b'], ['h0']);
    return runInHeap(
      backend,
      { hs: d.stepShape, hT: d.stateShape },
      none,
      ({ kernels, at, outputs: o, batch }) => {
        kernels.linearScanForward(
          batch,
          d.time,
          d.features,
          at(t.a),
          at(t.b),
          at(t.h0),
          at(t.mask),
          attrs.reverse,
          o.hs,
          o.hT,
        );
      },
      { batch: d.batch, inputs: t },
    );
  },
  backward(t, attrs, backend: object) {
    const d = scanDims(RecurLinearScanGrad, t, ['a', 'b', 'hs', 'dhs'], ['h0', 'dhT']);
    return runInHeap(
      backend,
      { a: d.stepShape, b: d.stepShape, h0: d.stateShape },
      none,
      ({ kernels, at, outputs: o, batch }) => {
        kernels.linearScanBackward(
          batch,
          d.time,
          d.features,
          at(t.a),
          at(t.h0),
          at(t.mask),
          at(t.hs),
          at(t.dhs),
          at(t.dhT),
          attrs.reverse,
          o.a,
          o.b,
          o.h0,
        );
      },
      { batch: d.batch, inputs: t },
    );
  },
});
