/**
 * `elmanSequence` (core's `RecurElmanSequence` and `RecurElmanSequenceGrad`) on the wasm
 * backend: asm/elman.ts on the tensors in tfjs' heap.
 */
import { elmanSequence, RecurElmanSequence, RecurElmanSequenceGrad } from '@recur/core';
import { fusedKernel } from '@recur/core/kernel-api';
import { kernelAttrs, runInHeap } from './heap.js';
import { RECURRENT_LAYOUT, sequenceDims } from './shapes.js';

export const elmanSequenceWasm = fusedKernel(elmanSequence, 'wasm', {
  forward(t, attrs, backend: object) {
    const { batch: B, time: T, input: I, units: H } = sequenceDims(RecurElmanSequence, t, 1);
    const a = kernelAttrs(RecurElmanSequence, attrs, false);
    return runInHeap(
      backend,
      { ys: [B, T, H], hT: [B, H], hs: [T, B, H] },
      (k, batch) => k.elmanForwardScratch(batch, T, I, H),
      ({ kernels, at, outputs: o, scratch, batch }) => {
        kernels.elmanForward(
          batch,
          T,
          I,
          H,
          at(t.x),
          at(t.kernel),
          at(t.recurrentKernel),
          at(t.bias),
          at(t.h0),
          at(t.mask),
          a.activation,
          a.reverse,
          a.zeros,
          o.ys,
          o.hT,
          o.hs,
          scratch,
        );
      },
      { ...RECURRENT_LAYOUT, batch: B, inputs: t },
    );
  },
  backward(t, attrs, backend: object) {
    const { batch: B, time: T, input: I, units: H } = sequenceDims(RecurElmanSequenceGrad, t, 1);
    const a = kernelAttrs(RecurElmanSequenceGrad, attrs, false);
    return runInHeap(
      backend,
      { x: [B, T, I], kernel: [I, H], recurrentKernel: [H, H], bias: [H], h0: [B, H] },
      (k, batch) => k.elmanBackwardScratch(batch, T, I, H),
      ({ kernels, at, outputs: o, scratch, batch }) => {
        kernels.elmanBackward(
          batch,
          T,
          I,
          H,
          at(t.x),
          at(t.kernel),
          at(t.recurrentKernel),
          at(t.h0),
          at(t.mask),
          at(t.hs),
          at(t.dys),
          at(t.dhT),
          a.activation,
          a.reverse,
          a.zeros,
          a.skipX,
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
