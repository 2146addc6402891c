/**
 * `RecurGruSequence` and `RecurGruSequenceGrad` on the wasm backend, both `resetAfter`
 * variants: asm/gru.ts on the tensors in tfjs' heap. `bias` is `[3H]`, or `[2, 3H]`
 * (input bias, recurrent bias) as Keras keeps it with `resetAfter`.
 */
import { RecurGruSequence, RecurGruSequenceGrad } from '@recur/core';
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { type Inputs, kernelAttrs, requireInputs, runInHeap } from './heap.js';
import { sequenceDims } from './shapes.js';

const FORWARD_INPUTS = ['x', 'kernel', 'recurrentKernel', 'bias', 'h0', 'mask'] as const;
const GRAD_INPUTS = [...FORWARD_INPUTS, 'gates', 'hs', 'dys', 'dhT'] as const;

function biasRows(inputs: Inputs): number {
  return (inputs.bias as TensorInfo | undefined)?.shape.length === 2 ? 2 : 1;
}

export const gruSequenceConfig: KernelConfig = {
  kernelName: RecurGruSequence,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const t = requireInputs(RecurGruSequence, inputs, FORWARD_INPUTS);
    const a = kernelAttrs(RecurGruSequence, attrs ?? {}, true);
    const rows = biasRows(inputs);
    const { batch: B, time: T, input: I, units: H } = sequenceDims(RecurGruSequence, t, 3, { twoRowBias: rows === 2 });
    const width = a.resetAfter ? 4 * H : 3 * H;
    return runInHeap(
      backend,
      [
        [B, T, H],
        [B, H],
        [T, B, width],
        [T, B, H],
      ],
      (k) => k.gruForwardScratch(B, T, I, H, a.resetAfter),
      ({ kernels, at, outputs, scratch }) => {
        kernels.gruForward(
          B,
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
          ...outputs,
          scratch,
        );
      },
    );
  },
};

export const gruSequenceGradConfig: KernelConfig = {
  kernelName: RecurGruSequenceGrad,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const t = requireInputs(RecurGruSequenceGrad, inputs, GRAD_INPUTS);
    const a = kernelAttrs(RecurGruSequenceGrad, attrs ?? {}, true);
    const rows = biasRows(inputs);
    const {
      batch: B,
      time: T,
      input: I,
      units: H,
    } = sequenceDims(RecurGruSequenceGrad, t, 3, {
      twoRowBias: rows === 2,
      workspaceGates: a.resetAfter ? 4 : 3,
    });
    return runInHeap(
      backend,
      [[B, T, I], [I, 3 * H], [H, 3 * H], rows === 2 ? [2, 3 * H] : [3 * H], [B, H]],
      (k) => k.gruBackwardScratch(B, T, I, H, a.resetAfter),
      ({ kernels, at, outputs, scratch }) => {
        kernels.gruBackward(
          B,
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
          a.resetAfter,
          ...outputs,
          scratch,
        );
      },
    );
  },
};
