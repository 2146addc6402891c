/**
 * `ctcLoss` (core's `RecurCtcLoss` and `RecurCtcLossGrad`) fused on the cpu backend: each
 * row's α and β in float64 over the log-probabilities in place (ctc-lattice.ts), so the
 * loss and its gradient lose nothing to float32 until they are stored.
 */
import { ctcLoss, RecurCtcLoss, RecurCtcLossGrad } from '@recur/core';
import { fusedKernel } from '@recur/core/kernel-api';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { arraysOf, outputsOn } from './arrays.js';
import { type CtcRow, ctcGradient, ctcNegLogLikelihood } from './ctc-lattice.js';

interface CtcInfos {
  readonly logProbs: TensorInfo;
  readonly labels: TensorInfo;
  readonly inputLengths: TensorInfo;
  readonly labelLengths: TensorInfo;
}

/** Each row as the lattice reads it, over `logProbs` (`[B, T, C]` values). */
function rowsOf(backend: MathBackendCPU, t: CtcInfos, logProbs: Float32Array, blank: number): CtcRow[] {
  const ints = (info: TensorInfo) => backend.data.get(info.dataId).values as Int32Array;
  const [batch, time, classes] = t.logProbs.shape as [number, number, number];
  const width = t.labels.shape[1] as number;
  const labels = ints(t.labels);
  const inputLengths = ints(t.inputLengths);
  const labelLengths = ints(t.labelLengths);
  return Array.from({ length: batch }, (_, b) => ({
    logProbs,
    offset: b * time * classes,
    classes,
    inputLength: inputLengths[b] as number,
    label: Array.from(labels.subarray(b * width, b * width + (labelLengths[b] as number))),
    blank,
  }));
}

export const ctcLossCpu = fusedKernel(ctcLoss, 'cpu', {
  forward(t, attrs, backend: MathBackendCPU) {
    const { logProbs } = arraysOf(RecurCtcLoss, backend, { logProbs: t.logProbs });
    const losses = rowsOf(backend, t, logProbs, attrs.blank).map((row) => {
      const nll = ctcNegLogLikelihood(row);
      // +∞ for any row with no alignment, too short or with −∞ on every path, as PyTorch.
      return Number.isFinite(nll) || !attrs.zeroInfinity ? nll : 0;
    });
    return { losses: outputsOn(backend)([losses.length], Float32Array.from(losses)) };
  },
  backward(t, attrs, backend: MathBackendCPU) {
    const { logProbs, dlosses } = arraysOf(RecurCtcLossGrad, backend, { logProbs: t.logProbs, dlosses: t.dlosses });
    const size = logProbs.length;
    const grad = new Float32Array(size);
    rowsOf(backend, t, logProbs, attrs.blank).forEach((row, b) => {
      const { nll, grad: g } = ctcGradient(row);
      if (!Number.isFinite(nll)) return;
      const scale = dlosses[b] as number;
      for (let i = 0; i < g.length; i++) grad[row.offset + i] = (g[i] as number) * scale;
    });
    return { logProbs: outputsOn(backend)([...t.logProbs.shape], grad) };
  },
});
