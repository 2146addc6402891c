/**
 * `RecurLstmSequence` and `RecurLstmSequenceGrad` on the wasm backend: asm/lstm.ts on the
 * tensors in tfjs' heap. Inputs, outputs and layouts as core's `kernels/names.ts`.
 */
import { RecurLstmSequence, RecurLstmSequenceGrad } from '@recur/core';
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { kernelAttrs, requireInputs, runInHeap } from './heap.js';
import { sequenceDims } from './shapes.js';

const FORWARD_INPUTS = ['x', 'kernel', 'recurrentKernel', 'bias', 'h0', 'c0', 'mask'] as const;
const GRAD_INPUTS = [...FORWARD_INPUTS, 'gates', 'hs', 'cs', 'dys', 'dhT', 'dcT'] as const;

export const lstmSequenceConfig: KernelConfig = {
  kernelName: RecurLstmSequence,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const t = requireInputs(RecurLstmSequence, inputs, FORWARD_INPUTS);
    const { batch: B, time: T, input: I, units: H } = sequenceDims(RecurLstmSequence, t, 4);
    const a = kernelAttrs(RecurLstmSequence, attrs ?? {}, true);
    return runInHeap(
      backend,
      [
        [B, T, H],
        [B, H],
        [B, H],
        [T, B, 4 * H],
        [T, B, H],
        [T, B, H],
      ],
      (k) => k.lstmForwardScratch(B, T, I, H),
      ({ kernels, at, outputs, scratch }) => {
        kernels.lstmForward(
          B,
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
          ...outputs,
          scratch,
        );
      },
    );
  },
};

export const lstmSequenceGradConfig: KernelConfig = {
  kernelName: RecurLstmSequenceGrad,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const t = requireInputs(RecurLstmSequenceGrad, inputs, GRAD_INPUTS);
    const { batch: B, time: T, input: I, units: H } = sequenceDims(RecurLstmSequenceGrad, t, 4);
    const a = kernelAttrs(RecurLstmSequenceGrad, attrs ?? {}, true);
    return runInHeap(
      backend,
      [[B, T, I], [I, 4 * H], [H, 4 * H], [4 * H], [B, H], [B, H]],
      (k) => k.lstmBackwardScratch(B, T, I, H),
      ({ kernels, at, outputs, scratch }) => {
        kernels.lstmBackward(
          B,
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
          ...outputs,
          scratch,
        );
      },
    );
  },
};
