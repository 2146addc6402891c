/**
 * `RecurElmanSequence` and `RecurElmanSequenceGrad` on the wasm backend: asm/elman.ts on
 * the tensors in tfjs' heap.
 */
import { RecurElmanSequence, RecurElmanSequenceGrad } from '@recur/core';
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { kernelAttrs, requireInputs, runInHeap } from './heap.js';
import { sequenceDims } from './shapes.js';

const FORWARD_INPUTS = ['x', 'kernel', 'recurrentKernel', 'bias', 'h0', 'mask'] as const;
const GRAD_INPUTS = [...FORWARD_INPUTS, 'hs', 'dys', 'dhT'] as const;

export const elmanSequenceConfig: KernelConfig = {
  kernelName: RecurElmanSequence,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const t = requireInputs(RecurElmanSequence, inputs, FORWARD_INPUTS);
    const { batch: B, time: T, input: I, units: H } = sequenceDims(RecurElmanSequence, t, 1);
    const a = kernelAttrs(RecurElmanSequence, attrs ?? {}, false);
    return runInHeap(
      backend,
      [
        [B, T, H],
        [B, H],
        [T, B, H],
      ],
      (k) => k.elmanForwardScratch(B, T, I, H),
      ({ kernels, at, outputs, scratch }) => {
        kernels.elmanForward(
          B,
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
          ...outputs,
          scratch,
        );
      },
    );
  },
};

export const elmanSequenceGradConfig: KernelConfig = {
  kernelName: RecurElmanSequenceGrad,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const t = requireInputs(RecurElmanSequenceGrad, inputs, GRAD_INPUTS);
    const { batch: B, time: T, input: I, units: H } = sequenceDims(RecurElmanSequenceGrad, t, 1);
    const a = kernelAttrs(RecurElmanSequenceGrad, attrs ?? {}, false);
    return runInHeap(
      backend,
      [[B, T, I], [I, H], [H, H], [H], [B, H]],
      (k) => k.elmanBackwardScratch(B, T, I, H),
      ({ kernels, at, outputs, scratch }) => {
        kernels.elmanBackward(
          B,
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
          ...outputs,
          scratch,
        );
      },
    );
  },
};
