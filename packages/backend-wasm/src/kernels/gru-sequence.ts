/**
 * `gruSequence` (core's `RecurGruSequence` and `RecurGruSequenceGrad`) on the wasm
 * backend, both `resetAfter` variants: asm/gru.ts and asm/gru-grad.ts on the tensors in
 * tfjs' heap. `bias` is `[3H]`, or `[2, 3H]` (input bias, recurrent bias) as Keras keeps
 * it with `resetAfter`.
 */
import { gruSequence, RecurGruSequence, RecurGruSequenceGrad } from '@recur/core';
import { fusedKernel } from '@recur/core/kernel-api';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { kernelAttrs, runInHeap } from './heap.js';
import { RECURRENT_LAYOUT, sequenceDims } from './shapes.js';

function biasRows(bias: TensorInfo): number {
  return bias.shape.length === 2 ? 2 : 1;
}

export const gruSequenceWasm = fusedKernel(gruSequence, 'wasm', {
  forward(t, attrs, backend: object) {
    const a = kernelAttrs(RecurGruSequence, attrs, true);
    const rows = biasRows(t.bias);
    const { batch: B, time: T, input: I, units: H } = sequenceDims(RecurGruSequence, t, 3, { twoRowBias: rows === 2 });
    const width = a.resetAfter ? 4 * H : 3 * H;
    return runInHeap(
      backend,
      { ys: [B, T, H], hT: [B, H], gates: [T, B, width], hs: [T, B, H] },
      (k, batch) => k.gruForwardScratch(batch, T, I, H, a.resetAfter),
      ({ kernels, at, outputs: o, scratch, batch }) => {
        kernels.gruForward(
          batch,
          T,
          I,
          H,
          at(t.x),
          at(t.kernel),
          at(t.recurrentKernel),
          at(t.bias),
          rows,
          at(t.h0),
          at(t.mask),
          a.activation,
          a.recurrentActivation,
          a.reverse,
          a.zeros,
          a.resetAfter,
          o.ys,
          o.hT,
          o.gates,
          o.hs,
          scratch,
        );
      },
      { ...RECURRENT_LAYOUT, batch: B, inputs: t },
    );
  },
  backward(t, attrs, backend: object) {
    const a = kernelAttrs(RecurGruSequenceGrad, attrs, true);
    const rows = biasRows(t.bias);
    const {
      batch: B,
      time: T,
      input: I,
      units: H,
    } = sequenceDims(RecurGruSequenceGrad, t, 3, { twoRowBias: rows === 2, workspaceGates: a.resetAfter ? 4 : 3 });
    return runInHeap(
      backend,
      { x: [B, T, I], kernel: [I, 3 * H], recurrentKernel: [H, 3 * H], bias: [...t.bias.shape], h0: [B, H] },
      (k, batch) => k.gruBackwardScratch(batch, T, I, H, a.resetAfter),
      ({ kernels, at, outputs: o, scratch, batch }) => {
        kernels.gruBackward(
          batch,
          T,
          I,
          H,
          at(t.x),
          at(t.kernel),
          at(t.recurrentKernel),
          rows,
          at(t.h0),
          at(t.mask),
          at(t.gates),
          at(t.hs),
          at(t.dys),
          at(t.dhT),
          a.activation,
          a.recurrentActivation,
          a.reverse,
          a.zeros,
          a.skipX,
          a.resetAfter,
          o.x,
          o.kernel,
          o.recurrentKernel,
          o.bias,
          o.h0,
          scratch,
        );
      },
      { ...RECURRENT_LAYOUT, batch: B, inputs: t },
    );
  },
});
