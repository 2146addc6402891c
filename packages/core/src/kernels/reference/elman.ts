/**
 * Reference `RecurElmanSequence` and its backward pass through time, in plain tfjs ops.
 * Elman (1990), "Finding structure in time": h_t = act(x_t·W + h_{t−1}·U + b).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { RecurElmanSequenceAttrs } from '../names.js';
import { activate, backpropActivation } from './activation.js';
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
} from './common.js';

/** Forward inputs as tensors; `mask` absent means every step is real. */
export interface ElmanSequenceTensors {
  readonly x: tf.Tensor3D;
  readonly kernel: tf.Tensor2D;
  readonly recurrentKernel: tf.Tensor2D;
  readonly bias: tf.Tensor1D;
  readonly h0: tf.Tensor2D;
  readonly mask?: tf.Tensor2D;
}

export interface ElmanSequenceGradTensors extends ElmanSequenceTensors {
  readonly hs: tf.Tensor3D;
  readonly dys: tf.Tensor3D;
  readonly dhT: tf.Tensor2D;
}

/** `[ys, hT, hs]` as `RECUR_ELMAN_SEQUENCE_OUTPUTS` describes. The caller owns them. */
export function elmanSequenceReference(
  inputs: ElmanSequenceTensors,
  attrs: RecurElmanSequenceAttrs,
): [tf.Tensor3D, tf.Tensor2D, tf.Tensor3D] {
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
    return [emitOutputs(states, emitted), h, states];
  });
}

/**
 * `[dx, dKernel, dRecurrentKernel, dBias, dh0]` (`RECUR_ELMAN_SEQUENCE_GRAD_OUTPUTS`): the
 * backward pass through time, one recurrent product per step, the weight gradients as
 * large products at the end. The caller owns them.
 */
export function elmanSequenceGradReference(
  inputs: ElmanSequenceGradTensors,
  attrs: RecurElmanSequenceAttrs,
): [tf.Tensor3D, tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.Tensor2D] {
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
    return [dx, dKernel, dRecurrentKernel, dBias, dh];
  });
}
