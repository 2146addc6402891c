/**
 * `RecurCtcLoss`: the connectionist temporal classification loss of each row, −ln p(l | x)
 * summed over every alignment of the label to the input steps (Graves et al. 2006), as
 * one whole-sequence kernel with its own gradient.
 *
 * `logProbs [B, T, C]` float32 log-probabilities; `labels [B, L]` int32, row b's label
 * its first `labelLengths[b]` ids (the rest is padding, never read), each in [0, C) and
 * not the blank; `inputLengths [B]`, `labelLengths [B]` int32, in [0, T] and [0, L].
 * Attrs `blank` (a class id) and `zeroInfinity` (a row with no alignment gives 0, else
 * +∞). Output `losses [B]`. Only `logProbs` is differentiable: ∂loss_b/∂logProbs[b, t, k]
 * = −Σ_{s: l'_s = k} α_t(s) β_t(s) / (y_t(k) p), zero past the row's length and on rows
 * with no alignment (ctc-lattice.ts has the recursions).
 *
 * No workspace: the backward recomputes α with β (the same O(T·L) work as β alone), which
 * lets fused backends keep α in float64 rather than round it through a float32 tensor.
 */
import * as tf from '@tensorflow/tfjs-core';
import { badArgument } from '../errors.js';
import { expectFloatTensor } from './check.js';
import { aligned, ctcForward, ctcGradient } from './ctc-lattice.js';
import { defineKernel, type ExampleSource } from './descriptor.js';

/** tfjs kernel name of the CTC loss of each row (for `runKernel`). */
export const RecurCtcLoss = 'RecurCtcLoss';
/** tfjs kernel name of the CTC loss's backward pass (the gradient with respect to `logProbs`). */
export const RecurCtcLossGrad = 'RecurCtcLossGrad';

/**
 * Inputs of `RecurCtcLoss`: `logProbs [B, T, C]` float32 log-probabilities, `labels [B, L]`
 * int32 (padded past `labelLengths`), `inputLengths [B]` and `labelLengths [B]` int32.
 */
export type RecurCtcLossInputs = {
  readonly logProbs: tf.Tensor3D;
  readonly labels: tf.Tensor2D;
  readonly inputLengths: tf.Tensor1D;
  readonly labelLengths: tf.Tensor1D;
};
/** Attributes of `RecurCtcLoss`: the `blank` class id, and whether a row with no alignment gives 0 (`zeroInfinity`) rather than +∞. */
export interface RecurCtcLossAttrs {
  readonly blank: number;
  readonly zeroInfinity: boolean;
}
/** Output of `RecurCtcLoss`: `losses [B]`, −ln p(label | x) per row. */
export type RecurCtcLossOutputs = { readonly losses: tf.Tensor1D };
type CtcLossGradInputs = RecurCtcLossInputs & { readonly dlosses: tf.Tensor1D };

/** The fewest input steps that can emit `label`: one per label, plus a blank between each repeated pair. */
export function minimumCtcSteps(label: readonly number[]): number {
  let repeats = 0;
  for (let i = 1; i < label.length; i++) if (label[i] === label[i - 1]) repeats++;
  return label.length + repeats;
}

/** Throws unless `value` is an int32 tensor of `shape` (`undefined`: any size along that axis). */
function expectIntTensor(name: string, value: unknown, shape: readonly (number | undefined)[]): tf.Tensor {
  const t = value as tf.Tensor | undefined;
  const expected = `an int32 tensor of shape [${shape.map((d) => d ?? 'labels').join(', ')}]`;
  const fits =
    t?.dtype === 'int32' &&
    t.shape?.length === shape.length &&
    t.shape.every((d, i) => shape[i] === undefined || d === shape[i]);
  if (!fits) throw badArgument('BAD_DATA', `${RecurCtcLoss} input '${name}'`, expected, value);
  return t;
}

function validate(inputs: RecurCtcLossInputs, attrs: RecurCtcLossAttrs): void {
  const lp = expectFloatTensor(RecurCtcLoss, 'logProbs', inputs.logProbs, 3);
  const [B, T, C] = lp.shape as [number, number, number];
  const labels = expectIntTensor('labels', inputs.labels, [B, undefined]);
  const L = labels.shape[1] as number;
  const inputLengths = expectIntTensor('inputLengths', inputs.inputLengths, [B]).dataSync();
  const labelLengths = expectIntTensor('labelLengths', inputs.labelLengths, [B]).dataSync();
  const { blank, zeroInfinity } = attrs ?? ({} as Partial<RecurCtcLossAttrs>);
  if (!Number.isInteger(blank) || (blank as number) < 0 || (blank as number) >= C) {
    throw badArgument('BAD_CONFIG', `${RecurCtcLoss} attribute 'blank'`, `an integer in [0, ${C})`, blank);
  }
  if (typeof zeroInfinity !== 'boolean') {
    throw badArgument('BAD_CONFIG', `${RecurCtcLoss} attribute 'zeroInfinity'`, 'a boolean', zeroInfinity);
  }
  // Fused kernels index by these values: one out of range would read past a buffer.
  const ids = labels.dataSync();
  for (let b = 0; b < B; b++) {
    const n = inputLengths[b] as number;
    if (n < 0 || n > T) {
      throw badArgument('BAD_DATA', `${RecurCtcLoss} inputLengths[${b}]`, `an integer in [0, ${T}]`, n);
    }
    const m = labelLengths[b] as number;
    if (m < 0 || m > L) {
      throw badArgument('BAD_DATA', `${RecurCtcLoss} labelLengths[${b}]`, `an integer in [0, ${L}]`, m);
    }
    for (let i = 0; i < m; i++) {
      const k = ids[b * L + i] as number;
      if (k < 0 || k >= C || k === blank) {
        const expected = `a class id in [0, ${C}) other than the blank ${blank}`;
        throw badArgument('BAD_DATA', `${RecurCtcLoss} labels[${b}][${i}]`, expected, k);
      }
    }
  }
}

function forward(inputs: RecurCtcLossInputs, attrs: RecurCtcLossAttrs): RecurCtcLossOutputs {
  return tf.tidy(() => {
    const { logP } = ctcForward(inputs, attrs.blank);
    const impossible = tf.fill(logP.shape, attrs.zeroInfinity ? 0 : Number.POSITIVE_INFINITY);
    return { losses: tf.where(aligned(logP), tf.neg(logP), impossible) as tf.Tensor1D };
  });
}

function backward(inputs: CtcLossGradInputs, attrs: RecurCtcLossAttrs) {
  return tf.tidy(() => {
    const grad = ctcGradient(inputs, ctcForward(inputs, attrs.blank), attrs.blank);
    return { logProbs: tf.mul(grad, tf.reshape(inputs.dlosses, [-1, 1, 1])) };
  });
}

/** Random rows, each label short enough to align within its input length. */
function example(source: ExampleSource) {
  const batch = source.int('batch', 1, 3);
  const time = source.int('time', 1, 7);
  const classes = source.int('classes', 2, 5);
  const maxLabel = source.int('labels', 0, 4);
  const blank = source.int('blank', 0, classes - 1);
  const inputLengths: number[] = [];
  const labelLengths: number[] = [];
  const labels: number[] = [];
  for (let b = 0; b < batch; b++) {
    const length = b === 0 ? time : source.int(`inputLength${b}`, 0, time);
    const label: number[] = [];
    const drawn = source.int(`labelLength${b}`, 0, maxLabel);
    for (let i = 0; i < drawn; i++) {
      // A class other than the blank.
      const k = source.int(`label${b}.${i}`, 0, classes - 2);
      const next = [...label, k >= blank ? k + 1 : k];
      if (minimumCtcSteps(next) <= length) label.push(next[next.length - 1] as number);
    }
    inputLengths.push(length);
    labelLengths.push(label.length);
    labels.push(...label, ...new Array<number>(maxLabel - label.length).fill(blank));
  }
  return {
    inputs: {
      logProbs: tf.tidy(() => tf.logSoftmax(tf.mul(source.uniform([batch, time, classes], -1, 1), 3)) as tf.Tensor3D),
      labels: tf.tensor2d(labels, [batch, maxLabel], 'int32'),
      inputLengths: tf.tensor1d(inputLengths, 'int32'),
      labelLengths: tf.tensor1d(labelLengths, 'int32'),
    },
    attrs: { blank, zeroInfinity: source.bool('zeroInfinity') },
  };
}

/** The CTC loss of each row. */
export const ctcLoss = defineKernel<{
  inputs: RecurCtcLossInputs;
  attrs: RecurCtcLossAttrs;
  outputs: RecurCtcLossOutputs;
  workspace: Record<never, tf.Tensor>;
  differentiable: 'logProbs';
  savedOutputs: never;
}>({
  name: RecurCtcLoss,
  gradName: RecurCtcLossGrad,
  inputs: ['logProbs', 'labels', 'inputLengths', 'labelLengths'],
  integerInputs: ['labels', 'inputLengths', 'labelLengths'],
  differentiable: ['logProbs'],
  outputs: ['losses'],
  workspace: [],
  savedOutputs: [],
  validate,
  complete: (inputs) => inputs,
  reference: forward,
  referenceGrad: backward,
  example,
});
