/**
 * `RecurSoftmaxCrossEntropy`: the cross-entropy of each position's softmax against its
 * integer label, in one kernel, with its own gradient:
 *
 *   m = max_j x_j,   s = log Σ_j exp(x_j − m)                     (max-subtracted: no overflow)
 *   loss = s − (x_label − m)                                         (= −log softmax(x)[label])
 *   ∂loss/∂x_j = softmax(x)_j − [j = label],   softmax(x)_j = exp((x_j − m) − s)
 *
 * `logits [..., C]` float32, `labels [...]` int32 class ids in [0, C). Output `losses [...]`.
 * Workspace: `max` and `logSumExp` (`m` and `s` above, `[...]`), all the backward needs
 * beside the inputs. Two statistics rather than one `m + s`: rounding their sum to float32
 * would cost an ulp of |logits| in every exponent (7.6e-6 at logits of 80), where the
 * two-step form rounds exactly where tfjs' `logSoftmax` does.
 *
 * Why a kernel: log-softmax, one-hot, the pick and their gradients took about 25 tfjs ops,
 * each ~10 µs of dispatch whatever its size: most of the loss's share of a small model's
 * training step. The reference below is `tf.logSoftmax` op for op (its forward and its
 * custom gradient), so the fused kernels, which round at the same points, agree with the
 * formulation `softmaxCrossEntropy` used before within float rounding.
 */
import * as tf from '@tensorflow/tfjs-core';
import { badArgument } from '../errors.js';
import { expectFloatTensor } from './check.js';
import { defineKernel, type ExampleSource } from './descriptor.js';

/** tfjs kernel name of the per-position softmax cross-entropy (for `runKernel`). */
export const RecurSoftmaxCrossEntropy = 'RecurSoftmaxCrossEntropy';
/** tfjs kernel name of its backward pass (the gradient with respect to `logits`). */
export const RecurSoftmaxCrossEntropyGrad = 'RecurSoftmaxCrossEntropyGrad';

/** Inputs of `RecurSoftmaxCrossEntropy`: `logits [..., classes]` float32, `labels [...]` int32 class ids. */
export type RecurSoftmaxCrossEntropyInputs = {
  readonly logits: tf.Tensor;
  readonly labels: tf.Tensor;
};
/** `RecurSoftmaxCrossEntropy` takes no attributes. */
export type RecurSoftmaxCrossEntropyAttrs = Record<string, never>;
/** Output of `RecurSoftmaxCrossEntropy`: `losses [...]`, −log softmax(logits)[label] per position. */
export type RecurSoftmaxCrossEntropyOutputs = { readonly losses: tf.Tensor };
type Workspace = { readonly max: tf.Tensor; readonly logSumExp: tf.Tensor };
type GradInputs = RecurSoftmaxCrossEntropyInputs & Workspace & { readonly dlosses: tf.Tensor };

function validate(inputs: RecurSoftmaxCrossEntropyInputs): void {
  const logits = expectFloatTensor(RecurSoftmaxCrossEntropy, 'logits', inputs.logits, 2, true);
  const lead = logits.shape.slice(0, -1);
  const classes = logits.shape[logits.rank - 1] as number;
  if (classes < 1) {
    throw badArgument('SHAPE_MISMATCH', `${RecurSoftmaxCrossEntropy} input 'logits'`, 'at least one class', logits);
  }
  const labels = inputs.labels as tf.Tensor | undefined;
  const expected = `an int32 tensor of shape [${lead.join(', ')}] (logits without the class axis)`;
  const fits = labels?.dtype === 'int32' && labels.shape?.length === lead.length;
  if (!fits || labels.shape.some((d, i) => d !== lead[i])) {
    const received = labels?.dtype !== undefined && labels.dtype !== 'int32' ? `dtype ${labels.dtype}` : labels;
    throw badArgument('BAD_DATA', `${RecurSoftmaxCrossEntropy} input 'labels'`, expected, received);
  }
  // Fused kernels index rows by these values: one out of range would read past a row.
  const ids = labels.dataSync();
  for (let i = 0; i < ids.length; i++) {
    const k = ids[i] as number;
    if (!(k >= 0 && k < classes)) {
      const expectedId = `a class id in [0, ${classes})`;
      throw badArgument('BAD_DATA', `${RecurSoftmaxCrossEntropy} labels (flat index ${i})`, expectedId, k);
    }
  }
}

/** `x − max` with the max kept on the class axis, as `tf.logSoftmax` computes it. */
function shiftedLogits(logits: tf.Tensor, max: tf.Tensor): tf.Tensor {
  return tf.sub(logits, tf.expandDims(max, -1));
}

/** `[..., C]` of 1 at each label, 0 elsewhere (`tf.oneHot` refuses a single class). */
function oneHotLabels(inputs: RecurSoftmaxCrossEntropyInputs): tf.Tensor {
  const classes = inputs.logits.shape[inputs.logits.rank - 1] as number;
  return tf.cast(tf.equal(tf.range(0, classes, 1, 'int32'), tf.expandDims(inputs.labels, -1)), 'float32');
}

function forward(inputs: RecurSoftmaxCrossEntropyInputs) {
  return tf.tidy(() => {
    const max = tf.max(inputs.logits, -1);
    const shifted = shiftedLogits(inputs.logits, max);
    const logSumExp = tf.log(tf.sum(tf.exp(shifted), -1));
    const picked = tf.sum(tf.mul(shifted, oneHotLabels(inputs)), -1);
    return { losses: tf.sub(logSumExp, picked), max, logSumExp };
  });
}

/** `tf.logSoftmax`'s gradient `dy − Σdy·softmax` with `dy = −onehot·dlosses`, in its order of rounding. */
function backward(inputs: GradInputs) {
  return tf.tidy(() => {
    const softmax = tf.exp(tf.sub(shiftedLogits(inputs.logits, inputs.max), tf.expandDims(inputs.logSumExp, -1)));
    const dy = tf.expandDims(inputs.dlosses, -1);
    return { logits: tf.sub(tf.mul(dy, softmax), tf.mul(oneHotLabels(inputs), dy)) };
  });
}

/** Logits of rank 2 or 3, some rows large (±80), labels anywhere. */
function example(source: ExampleSource) {
  const rank = source.int('rank', 2, 3);
  const lead = Array.from({ length: rank - 1 }, (_, i) => source.int(`dim${i}`, 1, 5));
  const classes = source.int('classes', 1, 9);
  const size = lead.reduce((a, b) => a * b, 1);
  const spread = source.bool('large') ? 80 : 4 * source.scale;
  const labels = Array.from({ length: size }, (_, i) => source.int(`label${i}`, 0, classes - 1));
  return {
    inputs: {
      logits: source.uniform([...lead, classes], -spread, spread),
      labels: tf.tensor(labels, lead, 'int32'),
    },
    attrs: {},
  };
}

/** The softmax cross-entropy of each position against its integer label. */
export const softmaxCrossEntropy = defineKernel<{
  inputs: RecurSoftmaxCrossEntropyInputs;
  attrs: RecurSoftmaxCrossEntropyAttrs;
  outputs: RecurSoftmaxCrossEntropyOutputs;
  workspace: Workspace;
  differentiable: 'logits';
  savedOutputs: never;
}>({
  name: RecurSoftmaxCrossEntropy,
  gradName: RecurSoftmaxCrossEntropyGrad,
  inputs: ['logits', 'labels'],
  integerInputs: ['labels'],
  differentiable: ['logits'],
  outputs: ['losses'],
  workspace: ['max', 'logSumExp'],
  savedOutputs: [],
  validate,
  complete: (inputs) => inputs,
  reference: forward,
  referenceGrad: backward,
  example,
});
