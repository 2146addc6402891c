/**
 * `RecurLstmSequence`: a whole LSTM sequence as one kernel, and its backward pass through
 * time. Hochreiter & Schmidhuber (1997) with the forget gate of Gers et al. (2000), in
 * Keras' form: z = x·W + h·U + b; i, f, o = σ(z_i, z_f, z_o); g = act(z_c);
 * c' = f⊙c + i⊙g; h' = o⊙act(c'). Layouts as `sequence-inputs.ts` describes, G = 4.
 */
import * as tf from '@tensorflow/tfjs-core';
import { activate, backpropActivation } from './activation-backprop.js';
import { defineKernel } from './descriptor.js';
import { type GatedSequenceAttrs, validateSequenceAttrs } from './sequence-attrs.js';
import { gatedExampleAttrs, recurrentExample, validateRecurrentInputs, withMask } from './sequence-inputs.js';
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

export const RecurLstmSequence = 'RecurLstmSequence';
export const RecurLstmSequenceGrad = 'RecurLstmSequenceGrad';

/** `x [B,T,I]`, `kernel [I,4H]`, `recurrentKernel [H,4H]`, `bias [4H]`, `h0, c0 [B,H]`, `mask [B,T]` (absent: all real). */
export type RecurLstmSequenceInputs = {
  readonly x: tf.Tensor3D;
  readonly kernel: tf.Tensor2D;
  readonly recurrentKernel: tf.Tensor2D;
  readonly bias: tf.Tensor1D;
  readonly h0: tf.Tensor2D;
  readonly c0: tf.Tensor2D;
  readonly mask?: tf.Tensor2D;
};
export type RecurLstmSequenceAttrs = GatedSequenceAttrs;
/** `ys [B,T,H]`, `hT [B,H]`, `cT [B,H]`: the state after the last real step of each row. */
export type RecurLstmSequenceOutputs = {
  readonly ys: tf.Tensor3D;
  readonly hT: tf.Tensor2D;
  readonly cT: tf.Tensor2D;
};
/**
 * `gates [T,B,4H]` (i, f, g, o after their activations), `hs [T,B,H]` and `cs [T,B,H]`
 * (the state after each step, padded steps included).
 */
export type RecurLstmSequenceWorkspace = {
  readonly gates: tf.Tensor3D;
  readonly hs: tf.Tensor3D;
  readonly cs: tf.Tensor3D;
};
type LstmGradInputs = RecurLstmSequenceInputs &
  RecurLstmSequenceWorkspace & { readonly dys: tf.Tensor3D; readonly dhT: tf.Tensor2D; readonly dcT: tf.Tensor2D };

const LAYOUT = { gates: 4, states: ['h0', 'c0'], twoRowBias: false } as const;

function forward(
  inputs: RecurLstmSequenceInputs,
  attrs: RecurLstmSequenceAttrs,
): RecurLstmSequenceOutputs & RecurLstmSequenceWorkspace {
  return tf.tidy(() => {
    const { x, kernel, recurrentKernel, bias, h0, c0, mask } = inputs;
    const { activation, recurrentActivation: sigma } = attrs;
    const projected = projectInputs(x, kernel, bias);
    const real = mask === undefined ? undefined : stepMasks(mask).real;
    const gates: tf.Tensor2D[] = [];
    const hs: tf.Tensor2D[] = [];
    const cs: tf.Tensor2D[] = [];
    let h = h0;
    let c = c0;
    for (const t of stepOrder(x.shape[1], attrs.reverse)) {
      const [hPrevious, cPrevious] = [h, c];
      const step = tf.tidy(() => {
        const z = tf.add(at(projected, t), tf.matMul(hPrevious, recurrentKernel));
        const [zi, zf, zg, zo] = tf.split(z, 4, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
        const i = activate(sigma, zi);
        const f = activate(sigma, zf);
        const g = activate(activation, zg);
        const o = activate(sigma, zo);
        const cNew = tf.add(tf.mul(f, cPrevious), tf.mul(i, g)) as tf.Tensor2D;
        const hNew = tf.mul(o, activate(activation, cNew)) as tf.Tensor2D;
        const gate = tf.concat([i, f, g, o], 1) as tf.Tensor2D;
        if (real === undefined) return { h: hNew, c: cNew, gate };
        const m = real[t] as tf.Tensor2D;
        return { h: tf.where(m, hNew, hPrevious), c: tf.where(m, cNew, cPrevious), gate };
      });
      h = step.h;
      c = step.c;
      gates[t] = step.gate;
      hs[t] = h;
      cs[t] = c;
    }
    const hAll = tf.stack(hs) as tf.Tensor3D;
    const emitted = mask === undefined ? undefined : outputMask(mask, attrs.maskedOutput, attrs.reverse);
    return {
      ys: emitOutputs(hAll, emitted),
      hT: h,
      cT: c,
      gates: tf.stack(gates) as tf.Tensor3D,
      hs: hAll,
      cs: tf.stack(cs) as tf.Tensor3D,
    };
  });
}

/**
 * The backward pass through time: one recurrent product per step, the weight gradients as
 * large products at the end.
 */
function backward(inputs: LstmGradInputs, attrs: RecurLstmSequenceAttrs) {
  return tf.tidy(() => {
    const { x, kernel, recurrentKernel, h0, c0, mask, gates, hs, cs, dys, dhT, dcT } = inputs;
    const recurrentTransposed = tf.transpose(recurrentKernel);
    const { activation, recurrentActivation: sigma, reverse } = attrs;
    const masks = mask === undefined ? undefined : stepMasks(mask);
    const emitted = mask === undefined ? undefined : outputMask(mask, attrs.maskedOutput, reverse);
    const fromOutputs = outputGradients(dys, emitted);
    const cPrevious = previousStates(cs, c0, reverse);
    const dZ: tf.Tensor2D[] = [];
    let dh = dhT;
    let dc = dcT;
    for (const t of stepOrder(x.shape[1], reverse).reverse()) {
      const [dhCarried, dcCarried] = [dh, dc];
      const step = tf.tidy(() => {
        const [i, f, g, o] = tf.split(at(gates, t), 4, 1) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
        const dhTotal = tf.add(dhCarried, at(fromOutputs, t));
        // h_t = m·h' + (1 − m)·h_{t−1} (same for c): padded steps pass gradients through.
        const weight = masks?.weight[t];
        const dhNew = weight === undefined ? dhTotal : tf.mul(dhTotal, weight);
        const dcDirect = weight === undefined ? dcCarried : tf.mul(dcCarried, weight);
        // At real steps cs holds c', so a = act(c'); at padded steps dhNew is 0 anyway.
        const a = activate(activation, at(cs, t));
        const dcNew = tf.add(dcDirect, backpropActivation(activation, tf.mul(dhNew, o), a));
        const dz = tf.concat(
          [
            backpropActivation(sigma, tf.mul(dcNew, g), i),
            backpropActivation(sigma, tf.mul(dcNew, at(cPrevious, t)), f),
            backpropActivation(activation, tf.mul(dcNew, i), g),
            backpropActivation(sigma, tf.mul(dhNew, a), o),
          ],
          1,
        ) as tf.Tensor2D;
        let dhPrevious: tf.Tensor2D = tf.matMul(dz, recurrentTransposed);
        let dcPrevious = tf.mul(dcNew, f) as tf.Tensor2D;
        const keep = masks?.keep[t];
        if (keep !== undefined) {
          dhPrevious = tf.add(dhPrevious, tf.mul(dhTotal, keep)) as tf.Tensor2D;
          dcPrevious = tf.add(dcPrevious, tf.mul(dcCarried, keep)) as tf.Tensor2D;
        }
        return { dz, dhPrevious, dcPrevious };
      });
      dZ[t] = step.dz;
      dh = step.dhPrevious;
      dc = step.dcPrevious;
    }
    const dZAll = stackSteps(dZ);
    const { dx, dKernel, dBias } = projectionGradients(x, kernel, dZAll);
    const dRecurrentKernel: tf.Tensor2D = tf.matMul(stepsTransposed(previousStates(hs, h0, reverse)), dZAll);
    return { x: dx, kernel: dKernel, recurrentKernel: dRecurrentKernel, bias: dBias, h0: dh, c0: dc };
  });
}

/** The LSTM sequence kernel: h and c carried, four gates. */
export const lstmSequence = defineKernel<{
  inputs: RecurLstmSequenceInputs;
  attrs: RecurLstmSequenceAttrs;
  outputs: RecurLstmSequenceOutputs;
  workspace: RecurLstmSequenceWorkspace;
  differentiable: 'x' | 'kernel' | 'recurrentKernel' | 'bias' | 'h0' | 'c0';
  savedOutputs: never;
}>({
  name: RecurLstmSequence,
  gradName: RecurLstmSequenceGrad,
  inputs: ['x', 'kernel', 'recurrentKernel', 'bias', 'h0', 'c0', 'mask'],
  differentiable: ['x', 'kernel', 'recurrentKernel', 'bias', 'h0', 'c0'],
  outputs: ['ys', 'hT', 'cT'],
  workspace: ['gates', 'hs', 'cs'],
  savedOutputs: [],
  validate(inputs, attrs) {
    validateRecurrentInputs(RecurLstmSequence, inputs, LAYOUT);
    validateSequenceAttrs(RecurLstmSequence, attrs, true);
  },
  complete: withMask,
  reference: forward,
  referenceGrad: backward,
  example(source) {
    return {
      inputs: recurrentExample(source, LAYOUT, false) as RecurLstmSequenceInputs,
      attrs: gatedExampleAttrs(source),
    };
  },
});
