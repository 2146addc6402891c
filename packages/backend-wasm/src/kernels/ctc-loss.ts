/**
 * `ctcLoss` (core's `RecurCtcLoss` and `RecurCtcLossGrad`) on the wasm backend:
 * asm/ctc-loss.ts, α and β in float64, on the tensors in tfjs' heap.
 */
import { ctcLoss, RecurCtcLoss, RecurCtcLossGrad } from '@recur/core';
import { fusedKernel } from '@recur/core/kernel-api';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { expectShape, runInHeap } from './heap.js';

/** B, T, C, W (the labels' padded width), each input checked against them: the module trusts its sizes. */
function ctcDims(
  kernel: string,
  t: { readonly logProbs: TensorInfo; readonly labels: TensorInfo } & Record<string, TensorInfo>,
) {
  const [batch, time, classes] = t.logProbs.shape as [number, number, number];
  const width = t.labels.shape[1] as number;
  expectShape(kernel, 'logProbs', t.logProbs, [batch, time, classes]);
  expectShape(kernel, 'labels', t.labels, [batch, width]);
  for (const name of ['inputLengths', 'labelLengths']) expectShape(kernel, name, t[name] as TensorInfo, [batch]);
  return { batch, time, classes, width };
}

export const ctcLossWasm = fusedKernel(ctcLoss, 'wasm', {
  forward(t, attrs, backend: object) {
    const d = ctcDims(RecurCtcLoss, t);
    return runInHeap(
      backend,
      { losses: [d.batch] },
      (k) => k.ctcLossForwardScratch(d.width),
      ({ kernels, at, outputs: o, scratch, batch }) => {
        kernels.ctcLossForward(
          batch,
          d.time,
          d.classes,
          d.width,
          at(t.logProbs),
          at(t.labels),
          at(t.inputLengths),
          at(t.labelLengths),
          attrs.blank,
          attrs.zeroInfinity,
          scratch,
          o.losses,
        );
      },
      { batch: d.batch, inputs: t },
    );
  },
  backward(t, attrs, backend: object) {
    const d = ctcDims(RecurCtcLossGrad, t);
    expectShape(RecurCtcLossGrad, 'dlosses', t.dlosses, [d.batch]);
    return runInHeap(
      backend,
      { logProbs: [d.batch, d.time, d.classes] },
      (k) => k.ctcLossBackwardScratch(d.time, d.classes, d.width),
      ({ kernels, at, outputs: o, scratch, batch }) => {
        kernels.ctcLossBackward(
          batch,
          d.time,
          d.classes,
          d.width,
          at(t.logProbs),
          at(t.labels),
          at(t.inputLengths),
          at(t.labelLengths),
          at(t.dlosses),
          attrs.blank,
          scratch,
          o.logProbs,
        );
      },
      { batch: d.batch, inputs: t },
    );
  },
});
