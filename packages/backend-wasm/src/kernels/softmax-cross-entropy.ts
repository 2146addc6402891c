/**
 * `softmaxCrossEntropy` (core's `RecurSoftmaxCrossEntropy` and its gradient) on the wasm
 * backend: asm/softmax-cross-entropy.ts on the tensors in tfjs' heap, one call each way
 * instead of about 25 tfjs ops. Never split over the thread pool: a pass over the logits
 * is microseconds at the sizes a loss sees, less than handing it to a worker.
 */
import { badArgument, RecurSoftmaxCrossEntropy, RecurSoftmaxCrossEntropyGrad, softmaxCrossEntropy } from '@recur/core';
import { fusedKernel } from '@recur/core/kernel-api';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { expectShape, heapOffset } from './heap.js';
import { kernelsFor, type WasmBackendLike } from './module.js';

/** The leading shape, rows and classes of `logits`; `labels` and every `[...]` float tensor checked against them: the module trusts its sizes. */
function rowsOf(kernel: string, t: { readonly logits: TensorInfo; readonly labels: TensorInfo }, perRow: TensorInfo[]) {
  const lead = t.logits.shape.slice(0, -1);
  if (t.labels.shape.length !== lead.length || t.labels.shape.some((d, i) => d !== lead[i])) {
    throw badArgument('SHAPE_MISMATCH', `${kernel} input 'labels'`, `shape [${lead.join(', ')}]`, t.labels);
  }
  for (const [i, info] of perRow.entries()) expectShape(kernel, `per-row input ${i}`, info, lead);
  const classes = t.logits.shape[t.logits.shape.length - 1] as number;
  return { lead, rows: lead.reduce((a, b) => a * b, 1), classes };
}

export const softmaxCrossEntropyWasm = fusedKernel(softmaxCrossEntropy, 'wasm', {
  forward(t, _attrs, backend: object) {
    const { lead, rows, classes } = rowsOf(RecurSoftmaxCrossEntropy, t, []);
    const heap = backend as WasmBackendLike;
    const at = (info: TensorInfo) => heapOffset(heap, info);
    const out = {
      losses: heap.makeOutput(lead, 'float32'),
      max: heap.makeOutput(lead, 'float32'),
      logSumExp: heap.makeOutput(lead, 'float32'),
    };
    kernelsFor(backend).softmaxCrossEntropyForward(
      rows,
      classes,
      at(t.logits),
      at(t.labels),
      at(out.losses),
      at(out.max),
      at(out.logSumExp),
    );
    return out;
  },
  backward(t, _attrs, backend: object) {
    const { rows, classes } = rowsOf(RecurSoftmaxCrossEntropyGrad, t, [t.max, t.logSumExp, t.dlosses]);
    const heap = backend as WasmBackendLike;
    const at = (info: TensorInfo) => heapOffset(heap, info);
    const logits = heap.makeOutput([...t.logits.shape], 'float32');
    kernelsFor(backend).softmaxCrossEntropyBackward(
      rows,
      classes,
      at(t.logits),
      at(t.labels),
      at(t.max),
      at(t.logSumExp),
      at(t.dlosses),
      at(logits),
    );
    return { logits };
  },
});
