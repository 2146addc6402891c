/**
 * `ctcLoss` (core's `RecurCtcLoss` and `RecurCtcLossGrad`) fused on the cpu backend: each
 * row's α and β in float64 over the log-probabilities in place (ctc-rows.ts), so the
 * loss and its gradient lose nothing to float32 until they are stored.
 */
import { ctcLoss, RecurCtcLoss, RecurCtcLossGrad } from '@recur/core';
import { fusedKernel } from '@recur/core/kernel-api';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { runRows } from '../threads/split-rows.js';
import { arraysOf, outputsOn } from './arrays.js';
import type { CtcArrays, CtcDims } from './ctc-rows.js';

interface CtcInfos {
  readonly logProbs: TensorInfo;
  readonly labels: TensorInfo;
  readonly inputLengths: TensorInfo;
  readonly labelLengths: TensorInfo;
}

/** The integer inputs' arrays and the dims, beside `logProbs`' values. */
function ctcInputs(backend: MathBackendCPU, t: CtcInfos, logProbs: Float32Array): [CtcArrays, CtcDims] {
  const ints = (info: TensorInfo) => backend.data.get(info.dataId).values as Int32Array;
  const [batch, time, classes] = t.logProbs.shape as [number, number, number];
  const arrays = {
    logProbs,
    labels: ints(t.labels),
    inputLengths: ints(t.inputLengths),
    labelLengths: ints(t.labelLengths),
  };
  return [arrays, { batch, time, classes, width: t.labels.shape[1] as number }];
}

export const ctcLossCpu = fusedKernel(ctcLoss, 'cpu', {
  forward(t, attrs, backend: MathBackendCPU) {
    const { logProbs } = arraysOf(RecurCtcLoss, backend, { logProbs: t.logProbs });
    const [arrays, d] = ctcInputs(backend, t, logProbs);
    const { losses } = runRows(backend, 'ctcLossForward', arrays, d, attrs);
    return { losses: outputsOn(backend)([d.batch], losses) };
  },
  backward(t, attrs, backend: MathBackendCPU) {
    const { logProbs, dlosses } = arraysOf(RecurCtcLossGrad, backend, { logProbs: t.logProbs, dlosses: t.dlosses });
    const [arrays, d] = ctcInputs(backend, t, logProbs);
    const { grad } = runRows(backend, 'ctcLossBackward', { ...arrays, dlosses }, d, attrs);
    return { logProbs: outputsOn(backend)([...t.logProbs.shape], grad) };
  },
});
