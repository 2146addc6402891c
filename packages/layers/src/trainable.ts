/**
 * Any layer as the `TrainableModel` that `fit` in `@recur/train` trains, in one call
 * (matched structurally: this package does not depend on the trainer, which knows no
 * layers). The loss and metrics are plain functions `(predictions, targets, { mask })
 * → scalar`, the signature of `@recur/train`'s losses and tensor metrics.
 */
import { badArgument, isTensor, Rng } from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';
import type { Layer, ParamTree } from './layer.js';
import { disposeParams, toVariables } from './variables.js';

/** A loss or metric: the mean over the positions `mask` keeps (1 = counts), as a scalar. */
export type ScalarFunction = (
  predictions: tf.Tensor,
  targets: tf.Tensor,
  options: { readonly mask?: tf.Tensor },
) => tf.Scalar;

/** One batch: the layer's input, the targets of its output, and the padding mask. */
export interface TrainingBatch<I = tf.Tensor> {
  readonly inputs: I;
  /** What the output should be: class ids (`softmaxCrossEntropy`) or values, as `loss` expects. */
  readonly targets: tf.Tensor;
  /** `[batch, time]`, 1 for real steps, 0 for padding; passed to `apply`. */
  readonly mask?: tf.Tensor2D;
}

/** What `trainable` makes a model from: its loss and metrics, and where its weights come from. */
export interface TrainableOptions<P extends ParamTree> {
  /** Minimised by `fit`, e.g. `softmaxCrossEntropy` or `meanSquaredError` from `@recur/train`. */
  readonly loss: ScalarFunction;
  /** Reported per batch and averaged in validation, e.g. `{ accuracy }` from `@recur/train`. */
  readonly metrics?: Readonly<Record<string, ScalarFunction>>;
  /** Fresh weights from `model.init(rng)`. Give this or `params`. */
  readonly rng?: Rng;
  /** Start from these weights instead (copied: they stay the caller's, untouched). */
  readonly params?: P;
}

/** A layer with trainable weights: what `fit` trains, plus prediction. */
export interface TrainableLayer<P extends ParamTree, I, O> {
  /** Every weight as a `tf.Variable`, keyed by its path (`'1/forward/kernel'`): the checkpoint keys. */
  readonly variables: Readonly<Record<string, tf.Variable>>;
  /** The same variables as the params tree `model.apply` takes. */
  readonly params: P;
  /**
   * The loss of one batch with the metrics beside it. The loss sees the mask the model
   * passes on with its output (present while the output keeps its time axis), so padded
   * steps count for nothing in many-to-many models. The batch stays the caller's.
   */
  loss(
    batch: TrainingBatch<I>,
    context: { readonly training: boolean; readonly rng: Rng },
  ): { loss: tf.Scalar; metrics: Record<string, tf.Scalar> };
  /** The model's output with training off (no dropout). The caller owns (and disposes) it. */
  predict(inputs: I, options?: { readonly mask?: tf.Tensor2D }): O;
  /** Disposes the variables. */
  dispose(): void;
}

/**
 * Turns a layer and its weights into a trainable model:
 *
 * ```ts
 * const model = trainable(net, { loss: softmaxCrossEntropy, metrics: { accuracy }, rng: new Rng(1) });
 * await fit(model, { inputs, targets }, { epochs: 5, batchSize: 32, optimizer: { kind: 'adam' } });
 * const scores = model.predict(inputs);
 * ```
 */
export function trainable<P extends ParamTree, S, I, O extends tf.Tensor>(
  model: Layer<P, S, I, O>,
  options: TrainableOptions<P>,
): TrainableLayer<P, I, O> {
  if (
    model === null ||
    typeof model !== 'object' ||
    typeof model.init !== 'function' ||
    typeof model.apply !== 'function'
  ) {
    throw badArgument('BAD_CONFIG', 'model', 'a layer ({ init, apply }) from @recur/layers', model);
  }
  if (options === null || typeof options !== 'object') {
    throw badArgument('BAD_CONFIG', 'options', 'an object { loss, metrics?, rng | params }', options);
  }
  const known = ['loss', 'metrics', 'rng', 'params'];
  const unknown = Object.keys(options).find((k) => !known.includes(k));
  if (unknown !== undefined) {
    throw badArgument(
      'BAD_CONFIG',
      `options.${unknown}`,
      `no such option (known: ${known.join(', ')})`,
      (options as unknown as Record<string, unknown>)[unknown],
    );
  }
  const { loss, metrics = {} } = options;
  if (typeof loss !== 'function') {
    throw badArgument('BAD_CONFIG', 'options.loss', 'a function (predictions, targets, { mask }) => scalar', loss);
  }
  if (metrics === null || typeof metrics !== 'object') {
    throw badArgument('BAD_CONFIG', 'options.metrics', 'a record of functions', metrics);
  }
  for (const [name, f] of Object.entries(metrics)) {
    if (typeof f !== 'function') {
      throw badArgument(
        'BAD_CONFIG',
        `options.metrics.${name}`,
        'a function (predictions, targets, { mask }) => scalar',
        f,
      );
    }
  }
  if ((options.rng === undefined) === (options.params === undefined)) {
    throw badArgument('BAD_CONFIG', 'options', 'exactly one of rng (fresh weights) and params', 'both or neither');
  }
  if (options.rng !== undefined && !(options.rng instanceof Rng)) {
    throw badArgument('BAD_CONFIG', 'options.rng', 'an Rng from @recur/core', options.rng);
  }
  const initial = options.params ?? model.init(options.rng as Rng);
  let made: ReturnType<typeof toVariables<P>>;
  try {
    made = toVariables(initial);
  } finally {
    if (options.params === undefined) disposeParams(initial);
  }
  const { params, variables } = made;

  return Object.freeze({
    variables,
    params,
    loss(batch: TrainingBatch<I>, context: { readonly training: boolean; readonly rng: Rng }) {
      if (batch === null || typeof batch !== 'object' || isTensor(batch)) {
        throw badArgument('BAD_DATA', 'batch', '{ inputs, targets, mask? }', batch);
      }
      if (!isTensor(batch.targets)) throw badArgument('BAD_DATA', 'batch.targets', 'a tensor', batch.targets);
      const training = context?.training === true;
      return tf.tidy(() => {
        const out = model.apply(params, batch.inputs, {
          training,
          ...(context?.rng === undefined ? {} : { rng: context.rng }),
          ...(batch.mask === undefined ? {} : { mask: batch.mask }),
        });
        const mask = out.mask === undefined ? {} : { mask: out.mask };
        const value = loss(out.output, batch.targets, mask);
        const scores = Object.fromEntries(
          Object.entries(metrics).map(([name, f]) => [name, f(out.output, batch.targets, mask)]),
        );
        return { loss: value, metrics: scores };
      });
    },
    predict(inputs: I, predictOptions: { readonly mask?: tf.Tensor2D } = {}): O {
      return tf.tidy(() => model.apply(params, inputs, { training: false, ...predictOptions }).output);
    },
    dispose: () => tf.dispose(Object.values(variables)),
  });
}
