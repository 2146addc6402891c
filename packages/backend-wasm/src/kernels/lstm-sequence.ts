/**
 * `lstmSequence` (core's `RecurLstmSequence` and `RecurLstmSequenceGrad`) on the wasm
 * backend: asm/lstm.ts on the tensors in tfjs' heap.
 */
import { lstmSequence, RecurLstmSequence, RecurLstmSequenceGrad } from '@recur/core';
import { fusedKernel } from '@recur/core/kernel-api';
import { kernelAttrs, runInHeap } from './heap.js';
import { RECURRENT_LAYOUT, sequenceDims } from './shapes.js';

export const lstmSequenceWasm = fusedKernel(lstmSequence, 'wasm', {
  forward(t, attrs, backend: object) {
    const { batch: B, time: T, input: I, units: H } = sequenceDims(RecurLstmSequence, t, 4);
    const a = kernelAttrs(RecurLstmSequence, attrs, true);
    const shapes = { ys: [B, T, H], hT: [B, H], cT: [B, H], gates: [T, B, 4 * H], hs: [T, B, H], cs: [T, B, H] };
    return runInHeap(
      backend,
      shapes,
      (k, batch) => k.lstmForwardScratch(batch, T, I, H),
      ({ kernels, at, outputs: o, scratch, batch }) => {
        kernels.lstmForward(
          batch,
          T,
          I,
          H,
          at(t.x),
          at(t.kernel),
          at(t.recurrentKernel),
          at(t.bias),
          at(t.h0),
          at(t.c0),
          at(t.mask),
          a.activation,
          a.recurrentActivation,
          a.reverse,
          a.zeros,
          o.ys,
          o.hT,
          o.cT,
          o.gates,
          o.hs,
          o.cs,
          scratch,
        );
      },
      { ...RECURRENT_LAYOUT, batch: B, inputs: t },
    );
  },
  backward(t, attrs, backend: object) {
    const { batch: B, time: T, input: I, units: H } = sequenceDims(RecurLstmSequenceGrad, t, 4);
    const a = kernelAttrs(RecurLstmSequenceGrad, attrs, true);
    const shapes = {
      x: [B, T, I],
      kernel: [I, 4 * H],
      recurrentKernel: [H, 4 * H],
      bias: [4 * H],
      h0: [B, H],
      c0: [B, H],
    };
    return runInHeap(
      backend,
      shapes,
      (k, batch) => k.lstmBackwardScratch(batch, T, I, H),
      ({ kernels, at, outputs: o, scratch, batch }) => {
        kernels.lstmBackward(
          batch,
          T,
          I,
          H,
          at(t.x),
          at(t.kernel),
          at(t.recurrentKernel),
          at(t.h0),
          at(t.c0),
          at(t.mask),
          at(t.gates),
          at(t.hs),
          at(t.cs),
          at(t.dys),
          at(t.dhT),
          at(t.dcT),
          a.activation,
          a.recurrentActivation,
          a.reverse,
          a.zeros,
          a.skipX,
          o.x,
          o.kernel,
          o.recurrentKernel,
          o.bias,
          o.h0,
          o.c0,
          scratch,
        );
      },
      { ...RECURRENT_LAYOUT, batch: B, inputs: t },
    );
  },
});
