/**
 * `RecurElmanSequence`: a whole simple-RNN sequence as one kernel, and its backward pass
 * through time. Elman (1990), "Finding structure in time": h_t = act(x_t·W + h_{t−1}·U + b).
 * Layouts as `sequence-inputs.ts` describes, G = 1.
 */
import * as tf from '@tensorflow/tfjs-core';
import { activate, backpropActivation } from './activation-backprop.js';
import { defineKernel } from './descriptor.js';
import { type SequenceKernelCommonAttrs, validateSequenceAttrs } from './sequence-attrs.js';
import { exampleAttrs, recurrentExample, validateRecurrentInputs, withMask } from './sequence-inputs.js';
import {
  at,
  emitOutputs,
  outputGradients,
  outputMask,
  previousStates,
  projectInputs,
  projectionGradients,
  stackSteps,
  stepMasks,
  stepOrder,
  stepsTransposed,
} from './sequence-steps.js';

export const RecurElmanSequence = 'RecurElmanSequence';
export const RecurElmanSequenceGrad = 'RecurElmanSequenceGrad';

/** `x [B,T,I]`, `kernel [I,H]`, `recurrentKernel [H,H]`, `bias [H]`, `h0 [B,H]`, `mask [B,T]` (absent: all real). */
export type RecurElmanSequenceInputs = {
  readonly x: tf.Tensor3D;
  readonly kernel: tf.Tensor2D;
  readonly recurrentKernel: tf.Tensor2D;
  readonly bias: tf.Tensor1D;
  readonly h0: tf.Tensor2D;
  readonly mask?: tf.Tensor2D;
};
export type RecurElmanSequenceAttrs = SequenceKernelCommonAttrs;
/** `ys [B,T,H]`, `hT [B,H]`. */
export type RecurElmanSequenceOutputs = { readonly ys: tf.Tensor3D; readonly hT: tf.Tensor2D };
/** `hs [T,B,H]`: the state after each step. */
export type RecurElmanSequenceWorkspace = { readonly hs: tf.Tensor3D };
type ElmanGradInputs = RecurElmanSequenceInputs &
  RecurElmanSequenceWorkspace & { readonly dys: tf.Tensor3D; readonly dhT: tf.Tensor2D };

function forward(
  inputs: RecurElmanSequenceInputs,
  attrs: RecurElmanSequenceAttrs,
): RecurElmanSequenceOutputs & RecurElmanSequenceWorkspace {
  return tf.tidy(() => {
    const { x, kernel, recurrentKernel, bias, h0, mask } = inputs;
    const projected = projectInputs(x, kernel, bias);
    const real = mask === undefined ? undefined : stepMasks(mask).real;
    const hs: tf.Tensor2D[] = [];
    let h = h0;
    for (const t of stepOrder(x.shape[1], attrs.reverse)) {
      const previous = h;
      h = tf.tidy(() => {
        const next = activate(
          attrs.activation,
          tf.add(at(projected, t), tf.matMul(previous, recurrentKernel)),
        ) as tf.Tensor2D;
        return real === undefined ? next : tf.where(real[t] as tf.Tensor2D, next, previous);
      });
      hs[t] = h;
    }
    const states = tf.stack(hs) as tf.Tensor3D;
    const emitted = mask === undefined ? undefined : outputMask(mask, attrs.maskedOutput, attrs.reverse);
    return { ys: emitOutputs(states, emitted), hT: h, hs: states };
  });
}

/**
 * The backward pass through time: one recurrent product per step, the weight gradients as
 * large products at the end.
 */
function backward(inputs: ElmanGradInputs, attrs: RecurElmanSequenceAttrs) {
  return tf.tidy(() => {
    const { x, kernel, recurrentKernel, h0, mask, hs, dys, dhT } = inputs;
    const recurrentTransposed = tf.transpose(recurrentKernel);
    const masks = mask === undefined ? undefined : stepMasks(mask);
    const emitted = mask === undefined ? undefined : outputMask(mask, attrs.maskedOutput, attrs.reverse);
    const fromOutputs = outputGradients(dys, emitted);
    // At real steps the state is the activation's output, which is all its derivative needs.
    const dZ: tf.Tensor2D[] = [];
    let dh = dhT;
    for (const t of stepOrder(x.shape[1], attrs.reverse).reverse()) {
      const carried = dh;
      const step = tf.tidy(() => {
        const total = tf.add(carried, at(fromOutputs, t));
        // h_t = m·h' + (1 − m)·h_{t−1}: padded steps pass the gradient straight through.
        const dNew = masks === undefined ? total : tf.mul(total, masks.weight[t] as tf.Tensor2D);
        const dz = backpropActivation(attrs.activation, dNew, at(hs, t)) as tf.Tensor2D;
        const throughU: tf.Tensor2D = tf.matMul(dz, recurrentTransposed);
        const dPrevious =
          masks === undefined
            ? throughU
            : (tf.add(throughU, tf.mul(total, masks.keep[t] as tf.Tensor2D)) as tf.Tensor2D);
        return { dz, dPrevious };
      });
      dZ[t] = step.dz;
      dh = step.dPrevious;
    }
    const dZAll = stackSteps(dZ);
    const { dx, dKernel, dBias } = projectionGradients(x, kernel, dZAll);
    const dRecurrentKernel: tf.Tensor2D = tf.matMul(stepsTransposed(previousStates(hs, h0, attrs.reverse)), dZAll);
    return { x: dx, kernel: dKernel, recurrentKernel: dRecurrentKernel, bias: dBias, h0: dh };
  });
}

const LAYOUT = { gates: 1, states: ['h0'], twoRowBias: false } as const;

/** The Elman (simple RNN) sequence kernel. */
export const elmanSequence = defineKernel<{
  inputs: RecurElmanSequenceInputs;
  attrs: RecurElmanSequenceAttrs;
  outputs: RecurElmanSequenceOutputs;
  workspace: RecurElmanSequenceWorkspace;
  differentiable: 'x' | 'kernel' | 'recurrentKernel' | 'bias' | 'h0';
  savedOutputs: never;
}>({
  name: RecurElmanSequence,
  gradName: RecurElmanSequenceGrad,
  inputs: ['x', 'kernel', 'recurrentKernel', 'bias', 'h0', 'mask'],
  differentiable: ['x', 'kernel', 'recurrentKernel', 'bias', 'h0'],
  outputs: ['ys', 'hT'],
  workspace: ['hs'],
  savedOutputs: [],
  validate(inputs, attrs) {
    validateRecurrentInputs(RecurElmanSequence, inputs, LAYOUT);
    validateSequenceAttrs(RecurElmanSequence, attrs, false);
  },
  complete: withMask,
  reference: forward,
  referenceGrad: backward,
  example(source) {
    return { inputs: recurrentExample(source, LAYOUT, false) as RecurElmanSequenceInputs, attrs: exampleAttrs(source) };
  },
});
