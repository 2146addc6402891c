/**
 * `softmaxCrossEntropy` (core's `RecurSoftmaxCrossEntropy` and its gradient) fused on the
 * cpu backend: one pass per row instead of about 25 tfjs ops. tfjs' cpu ops compute in
 * float64 and store float32; `Math.fround` at each point where the reference stores a
 * tensor (x − m, each exp, the row's sum, its log, the loss; p·dy and p·dy − dy) does the
 * same, and sums accumulate in float64 as tfjs' `Sum` does, so losses and gradients equal
 * the reference's on this backend bit for bit. One thread: a pass over `rows × classes`
 * values is a sliver of the network that produced them.
 */
import { badArgument, RecurSoftmaxCrossEntropy, RecurSoftmaxCrossEntropyGrad, softmaxCrossEntropy } from '@recur/core';
import { expectShape, fusedKernel } from '@recur/core/kernel-api';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { arraysOf, outputsOn } from './arrays.js';

const f = Math.fround;

/** The leading shape, rows and classes of `logits`, with `labels` (and any `[...]` tensor) checked against them. */
function rowsOf(kernel: string, logits: TensorInfo, perRow: Record<string, TensorInfo>) {
  const lead = logits.shape.slice(0, -1);
  for (const [name, info] of Object.entries(perRow)) expectShape(kernel, name, info, lead);
  const classes = logits.shape[logits.shape.length - 1] as number;
  return { lead, rows: lead.reduce((a, b) => a * b, 1), classes };
}

/** The int32 labels (their dtype checked by the kernel config), of the logits' leading shape. */
function labelsOf(kernel: string, backend: MathBackendCPU, labels: TensorInfo, lead: number[]): Int32Array {
  if (labels.shape.length !== lead.length || labels.shape.some((d, i) => d !== lead[i])) {
    throw badArgument('SHAPE_MISMATCH', `${kernel} input 'labels'`, `shape [${lead.join(', ')}]`, labels);
  }
  return backend.data.get(labels.dataId).values as Int32Array;
}

export const softmaxCrossEntropyCpu = fusedKernel(softmaxCrossEntropy, 'cpu', {
  forward(t, _attrs, backend: MathBackendCPU) {
    const kernel = RecurSoftmaxCrossEntropy;
    const { lead, rows, classes } = rowsOf(kernel, t.logits, {});
    const labels = labelsOf(kernel, backend, t.labels, lead);
    const { logits } = arraysOf(kernel, backend, { logits: t.logits });
    const losses = new Float32Array(rows);
    const max = new Float32Array(rows);
    const logSumExp = new Float32Array(rows);
    for (let r = 0; r < rows; r++) {
      const row = r * classes;
      let m = logits[row] as number;
      for (let j = 1; j < classes; j++) {
        const x = logits[row + j] as number;
        // tfjs' Max: a NaN anywhere in the row is the row's max.
        if (Number.isNaN(x) || x > m) m = x;
      }
      let sum = 0;
      for (let j = 0; j < classes; j++) sum += f(Math.exp(f((logits[row + j] as number) - m)));
      const lse = f(Math.log(f(sum)));
      // core's validation keeps labels in range; one that is not gives NaN, never another row's value.
      const label = labels[r] as number;
      const picked = label >= 0 && label < classes ? (logits[row + label] as number) : Number.NaN;
      losses[r] = f(lse - f(picked - m));
      max[r] = m;
      logSumExp[r] = lse;
    }
    const make = outputsOn(backend);
    return { losses: make(lead, losses), max: make(lead, max), logSumExp: make(lead, logSumExp) };
  },
  backward(t, _attrs, backend: MathBackendCPU) {
    const kernel = RecurSoftmaxCrossEntropyGrad;
    const { lead, rows, classes } = rowsOf(kernel, t.logits, {
      max: t.max,
      logSumExp: t.logSumExp,
      dlosses: t.dlosses,
    });
    const labels = labelsOf(kernel, backend, t.labels, lead);
    const { logits, max, logSumExp, dlosses } = arraysOf(kernel, backend, {
      logits: t.logits,
      max: t.max,
      logSumExp: t.logSumExp,
      dlosses: t.dlosses,
    });
    const grad = new Float32Array(rows * classes);
    for (let r = 0; r < rows; r++) {
      const row = r * classes;
      const m = max[r] as number;
      const lse = logSumExp[r] as number;
      const dy = dlosses[r] as number;
      const label = labels[r] as number;
      for (let j = 0; j < classes; j++) {
        const p = f(Math.exp(f(f((logits[row + j] as number) - m) - lse)));
        const g = f(dy * p);
        grad[row + j] = j === label ? f(g - dy) : g;
      }
    }
    return { logits: outputsOn(backend)([...t.logits.shape], grad) };
  },
});
