/**
 * `RecurGruSequence`: a whole GRU sequence as one kernel, and its backward pass through
 * time. Cho et al. (2014), gates z, r, h (Keras order), h' = z⊙h + (1−z)⊙h̃, with
 *   resetAfter false (tfjs-layers): h̃ = act(x·W_h + b_h + (r⊙h)·U_h)
 *   resetAfter true (Keras, cuDNN): h̃ = act(x·W_h + b_xh + r⊙(h·U_h + b_hh)).
 * Layouts as `sequence-inputs.ts` describes, G = 3.
 */
import * as tf from '@tensorflow/tfjs-core';
import { activate, backpropActivation } from './activation-backprop.js';
import { defineKernel } from './descriptor.js';
import { expectBooleanAttr, type GatedSequenceAttrs, validateSequenceAttrs } from './sequence-attrs.js';
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

export const RecurGruSequence = 'RecurGruSequence';
export const RecurGruSequenceGrad = 'RecurGruSequenceGrad';

/**
 * As LSTM with 3 gates and no `c0`. `bias` is `[3H]`, or `[2, 3H]` (input bias, recurrent
 * bias, as Keras) when `resetAfter`.
 */
export type RecurGruSequenceInputs = {
  readonly x: tf.Tensor3D;
  readonly kernel: tf.Tensor2D;
  readonly recurrentKernel: tf.Tensor2D;
  readonly bias: tf.Tensor1D | tf.Tensor2D;
  readonly h0: tf.Tensor2D;
  readonly mask?: tf.Tensor2D;
};
export interface RecurGruSequenceAttrs extends GatedSequenceAttrs {
  /** Apply the reset gate after the recurrent product (Keras default, cuDNN) or before it (tfjs-layers). */
  readonly resetAfter: boolean;
}
/** `ys [B,T,H]`, `hT [B,H]`. */
export type RecurGruSequenceOutputs = { readonly ys: tf.Tensor3D; readonly hT: tf.Tensor2D };
/**
 * `gates [T,B,3H]` (z, r, h̃ after their activations) or, when `resetAfter`, `[T,B,4H]`
 * with `h·U_h + b_hh` as the fourth block; `hs [T,B,H]`.
 */
export type RecurGruSequenceWorkspace = { readonly gates: tf.Tensor3D; readonly hs: tf.Tensor3D };
type GruGradInputs = RecurGruSequenceInputs &
  RecurGruSequenceWorkspace & { readonly dys: tf.Tensor3D; readonly dhT: tf.Tensor2D };

type Split3 = [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];

/** The input-side bias and, for a `[2, 3H]` bias, the recurrent one. */
function splitBias(bias: tf.Tensor1D | tf.Tensor2D): [tf.Tensor1D, tf.Tensor1D | undefined] {
  if (bias.rank === 1) return [bias as tf.Tensor1D, undefined];
  const [input, recurrent] = tf.unstack(bias) as [tf.Tensor1D, tf.Tensor1D];
  return [input, recurrent];
}

function forward(
  inputs: RecurGruSequenceInputs,
  attrs: RecurGruSequenceAttrs,
): RecurGruSequenceOutputs & RecurGruSequenceWorkspace {
  return tf.tidy(() => {
    const { x, kernel, recurrentKernel, bias, h0, mask } = inputs;
    const { activation, recurrentActivation: sigma, resetAfter } = attrs;
    const units = h0.shape[1];
    const [inputBias, recurrentBias] = splitBias(bias);
    const projected = projectInputs(x, kernel, inputBias);
    const uZR = tf.slice(recurrentKernel, [0, 0], [units, 2 * units]);
    const uH = tf.slice(recurrentKernel, [0, 2 * units], [units, units]);
    const real = mask === undefined ? undefined : stepMasks(mask).real;
    const gates: tf.Tensor2D[] = [];
    const hs: tf.Tensor2D[] = [];
    let h = h0;
    for (const t of stepOrder(x.shape[1], attrs.reverse)) {
      const previous = h;
      const step = tf.tidy(() => {
        const [xz, xr, xh] = tf.split(at(projected, t), 3, 1) as Split3;
        let z: tf.Tensor;
        let r: tf.Tensor;
        let candidate: tf.Tensor;
        let gate: tf.Tensor2D;
        if (resetAfter) {
          const product = tf.matMul(previous, recurrentKernel);
          const hu = recurrentBias === undefined ? product : tf.add(product, recurrentBias);
          const [uz, ur, uh] = tf.split(hu, 3, 1) as Split3;
          z = activate(sigma, tf.add(xz, uz));
          r = activate(sigma, tf.add(xr, ur));
          candidate = activate(activation, tf.add(xh, tf.mul(r, uh)));
          gate = tf.concat([z, r, candidate, uh], 1) as tf.Tensor2D;
        } else {
          const [uz, ur] = tf.split(tf.matMul(previous, uZR), 2, 1) as [tf.Tensor2D, tf.Tensor2D];
          z = activate(sigma, tf.add(xz, uz));
          r = activate(sigma, tf.add(xr, ur));
          candidate = activate(activation, tf.add(xh, tf.matMul(tf.mul(r, previous) as tf.Tensor2D, uH)));
          gate = tf.concat([z, r, candidate], 1) as tf.Tensor2D;
        }
        const hNew = tf.add(tf.mul(z, previous), tf.mul(tf.sub(1, z), candidate)) as tf.Tensor2D;
        return { h: real === undefined ? hNew : tf.where(real[t] as tf.Tensor2D, hNew, previous), gate };
      });
      h = step.h;
      gates[t] = step.gate;
      hs[t] = h;
    }
    const hAll = tf.stack(hs) as tf.Tensor3D;
    const emitted = mask === undefined ? undefined : outputMask(mask, attrs.maskedOutput, attrs.reverse);
    return { ys: emitOutputs(hAll, emitted), hT: h, gates: tf.stack(gates) as tf.Tensor3D, hs: hAll };
  });
}

/** The backward pass through time, the weight gradients as large products at the end. */
function backward(inputs: GruGradInputs, attrs: RecurGruSequenceAttrs) {
  return tf.tidy(() => {
    const { x, kernel, recurrentKernel, bias, h0, mask, gates, hs, dys, dhT } = inputs;
    const { activation, recurrentActivation: sigma, resetAfter, reverse } = attrs;
    const units = h0.shape[1];
    // Transposed once here: transposed products run several times slower on wasm.
    const uT = tf.transpose(recurrentKernel);
    const uZRT = tf.slice(uT, [0, 0], [2 * units, units]);
    const uHT = tf.slice(uT, [2 * units, 0], [units, units]);
    const masks = mask === undefined ? undefined : stepMasks(mask);
    const emitted = mask === undefined ? undefined : outputMask(mask, attrs.maskedOutput, reverse);
    const fromOutputs = outputGradients(dys, emitted);
    const hPrevious = previousStates(hs, h0, reverse);
    // dZ: gradient of the input-side pre-activations (x·W + b_x); dHU: of the recurrent
    // side (h·U + b_hh), which differs from dZ in the candidate block.
    const dZ: tf.Tensor2D[] = [];
    const dHU: tf.Tensor2D[] = [];
    let dh = dhT;
    for (const t of stepOrder(x.shape[1], reverse).reverse()) {
      const carried = dh;
      const step = tf.tidy(() => {
        const parts = tf.split(at(gates, t), resetAfter ? 4 : 3, 1);
        const [z, r, candidate] = parts as Split3;
        const previous = at(hPrevious, t);
        const total = tf.add(carried, at(fromOutputs, t));
        // h_t = m·h' + (1 − m)·h_{t−1}: padded steps pass the gradient straight through.
        const weight = masks?.weight[t];
        const keep = masks?.keep[t];
        const dNew = weight === undefined ? total : tf.mul(total, weight);
        const dzPre = backpropActivation(sigma, tf.mul(dNew, tf.sub(previous, candidate)), z);
        const dCandidatePre = backpropActivation(activation, tf.mul(dNew, tf.sub(1, z)), candidate);
        let dPrevious = tf.mul(dNew, z);
        let dRecurrent: tf.Tensor2D;
        let drPre: tf.Tensor;
        if (resetAfter) {
          drPre = backpropActivation(sigma, tf.mul(dCandidatePre, parts[3] as tf.Tensor2D), r);
          dRecurrent = tf.concat([dzPre, drPre, tf.mul(dCandidatePre, r)], 1) as tf.Tensor2D;
          dPrevious = tf.add(dPrevious, tf.matMul(dRecurrent, uT));
        } else {
          const dResetH = tf.matMul(dCandidatePre as tf.Tensor2D, uHT);
          drPre = backpropActivation(sigma, tf.mul(dResetH, previous), r);
          dRecurrent = tf.concat([dzPre, drPre], 1) as tf.Tensor2D;
          dPrevious = tf.add(tf.add(dPrevious, tf.mul(dResetH, r)), tf.matMul(dRecurrent, uZRT));
        }
        if (keep !== undefined) dPrevious = tf.add(dPrevious, tf.mul(total, keep));
        const dz = tf.concat([dzPre, drPre, dCandidatePre], 1) as tf.Tensor2D;
        return { dz, dRecurrent, dPrevious: dPrevious as tf.Tensor2D };
      });
      dh = step.dPrevious;
      dZ[t] = step.dz;
      if (resetAfter) dHU[t] = step.dRecurrent;
    }
    const dZAll = stackSteps(dZ);
    const { dx, dKernel, dBias: dInputBias } = projectionGradients(x, kernel, dZAll);
    const hPreviousT = stepsTransposed(hPrevious);
    let dRecurrentKernel: tf.Tensor2D;
    let dBias: tf.Tensor1D | tf.Tensor2D = dInputBias;
    if (resetAfter) {
      const dHUAll = stackSteps(dHU);
      dRecurrentKernel = tf.matMul(hPreviousT, dHUAll);
      if (bias.rank === 2) dBias = tf.stack([dInputBias, tf.sum(dHUAll, 0)]) as tf.Tensor2D;
    } else {
      // U_zr sees h, U_h sees r⊙h.
      const resetH = tf.mul(tf.slice(gates, [0, 0, units], [-1, -1, units]), hPrevious) as tf.Tensor3D;
      const dZR = tf.slice(dZAll, [0, 0], [-1, 2 * units]);
      const dCandidate = tf.slice(dZAll, [0, 2 * units], [-1, units]);
      dRecurrentKernel = tf.concat(
        [tf.matMul(hPreviousT, dZR), tf.matMul(stepsTransposed(resetH), dCandidate)],
        1,
      ) as tf.Tensor2D;
    }
    return { x: dx, kernel: dKernel, recurrentKernel: dRecurrentKernel, bias: dBias, h0: dh };
  });
}

const LAYOUT = { gates: 3, states: ['h0'], twoRowBias: true } as const;

/** The GRU sequence kernel: h carried, three gates, either reset placement. */
export const gruSequence = defineKernel<{
  inputs: RecurGruSequenceInputs;
  attrs: RecurGruSequenceAttrs;
  outputs: RecurGruSequenceOutputs;
  workspace: RecurGruSequenceWorkspace;
  differentiable: 'x' | 'kernel' | 'recurrentKernel' | 'bias' | 'h0';
  savedOutputs: never;
}>({
  name: RecurGruSequence,
  gradName: RecurGruSequenceGrad,
  inputs: ['x', 'kernel', 'recurrentKernel', 'bias', 'h0', 'mask'],
  differentiable: ['x', 'kernel', 'recurrentKernel', 'bias', 'h0'],
  outputs: ['ys', 'hT'],
  workspace: ['gates', 'hs'],
  savedOutputs: [],
  validate(inputs, attrs) {
    expectBooleanAttr(RecurGruSequence, 'resetAfter', (attrs as Partial<RecurGruSequenceAttrs>)?.resetAfter);
    validateRecurrentInputs(RecurGruSequence, inputs, { ...LAYOUT, twoRowBias: attrs.resetAfter });
    validateSequenceAttrs(RecurGruSequence, attrs, true);
  },
  complete: withMask,
  reference: forward,
  referenceGrad: backward,
  example(source) {
    const resetAfter = source.bool('resetAfter');
    const twoRowBias = resetAfter && source.bool('recurrentBias');
    return {
      inputs: recurrentExample(source, LAYOUT, twoRowBias) as RecurGruSequenceInputs,
      attrs: { ...gatedExampleAttrs(source), resetAfter },
    };
  },
});
