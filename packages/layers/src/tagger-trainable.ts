/**
 * A tagger as a `TrainableModel` (core's training contract, which `fit` in `@recur/train`
 * trains): named variables and the loss of its output layer.
 */
import { badArgument, isTensor, type Rng, type TrainableModel } from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';
import { type CrfParams, crf } from './crf.js';
import type { ParamTree } from './layer.js';
import { checkIdTensor } from './seq2seq/checks.js';
import type { TaggerInput, TaggerModel, TaggerParams } from './tagger.js';
import { toVariables } from './variables.js';

/** A training batch: the sentences and the gold tag of each word (any value at padding). */
export interface TaggerBatch extends TaggerInput {
  /** int32 `[batch, time]`, in [0, numTags). */
  readonly tags: tf.Tensor2D;
}

/** A tagger's weights as variables with the loss `fit` minimises: what `taggerTrainable` returns. */
export interface TaggerTrainable extends TrainableModel<TaggerBatch> {
  /** Every weight as a `tf.Variable`, keyed by its path (`'lstm/forward/kernel'`): the checkpoint keys. */
  readonly variables: Readonly<Record<string, tf.Variable>>;
  /** The same variables as the params tree `apply` and `predict` take. */
  readonly params: TaggerParams;
  /**
   * The loss per real word: with output `'softmax'` the mean cross-entropy of the gold
   * tags; with `'crf'` the sentences' summed CRF negative log-likelihood divided by the
   * number of real words (so both read on one scale). `metrics.accuracy` is the per-step
   * argmax accuracy of the logits (for `'crf'`, of its emissions alone: Viterbi's
   * accuracy comes from `predict`). `context` is `fit`'s step context.
   */
  loss(
    batch: TaggerBatch,
    context: { readonly training: boolean; readonly rng: Rng },
  ): { loss: tf.Scalar; metrics: { accuracy: tf.Scalar } };
  /** Disposes the variables. */
  dispose(): void;
}

/**
 * Trainable variables initialised from `params` (which stay the caller's, untouched):
 *
 * ```ts
 * const trainable = taggerTrainable(model, model.init(new Rng(1)));
 * await fit(trainable, batches, { epochs: 5, optimizer: { kind: 'adam', learningRate: 0.01 } });
 * const tags = model.predict(trainable.params, input);
 * ```
 */
export function taggerTrainable(model: TaggerModel, params: TaggerParams): TaggerTrainable {
  if (model === null || typeof model !== 'object' || model.kind !== 'tagger') {
    throw badArgument('BAD_CONFIG', 'model', 'a tagger (tagger(config))', model);
  }
  // apply checks the params' shapes; here only that they are a tree to copy.
  if (params === null || typeof params !== 'object' || isTensor(params)) {
    throw badArgument('BAD_CONFIG', 'params', 'the params tree of model.init(rng)', params);
  }
  const made = toVariables(params as unknown as ParamTree);
  const variables = made.variables;
  const tree = made.params as unknown as TaggerParams;
  return Object.freeze({
    variables,
    params: tree,
    loss: (batch: TaggerBatch, context: { readonly training: boolean; readonly rng: Rng }) =>
      taggerLoss(model, tree, batch, context),
    dispose: () => tf.dispose(Object.values(variables)),
  });
}

/**
 * The loss `taggerTrainable` minimises, over any params (variables or plain tensors): the
 * per-word loss of the model's output layer and the argmax accuracy (see `TaggerTrainable.loss`).
 * The caller owns the result.
 */
export function taggerLoss(
  model: TaggerModel,
  params: TaggerParams,
  batch: TaggerBatch,
  context: { readonly training: boolean; readonly rng?: Rng },
): { loss: tf.Scalar; metrics: { accuracy: tf.Scalar } } {
  if (batch === null || typeof batch !== 'object' || isTensor(batch)) {
    throw badArgument('SHAPE_MISMATCH', 'batch', '{ words, chars, tags }', batch);
  }
  const { numTags } = model.config;
  const { tags, ...input } = batch;
  const shape = isTensor(input.words) ? input.words.shape : [undefined, undefined];
  checkIdTensor(tags, shape, numTags, 'batch.tags');
  const training = context?.training === true;
  return tf.tidy(() => {
    const { logits, mask } = model.apply(params, input, {
      training,
      ...(context?.rng === undefined ? {} : { rng: context.rng }),
    });
    // max(count, 1): a batch of padding only gives 0, not NaN.
    const count = tf.maximum(tf.sum(mask), 1);
    let total: tf.Tensor;
    if (model.config.output === 'crf') {
      total = tf.sum(crf({ numTags }).nll(params.crf as CrfParams, logits, tags, { mask }));
    } else {
      const picked = tf.sum(tf.mul(tf.logSoftmax(logits), tf.oneHot(tags, numTags)), -1);
      total = tf.neg(tf.sum(tf.mul(picked, mask)));
    }
    const hits = tf.cast(tf.equal(tf.argMax(logits, -1), tags), 'float32');
    return {
      loss: tf.div(total, count) as tf.Scalar,
      metrics: { accuracy: tf.div(tf.sum(tf.mul(hits, mask)), count) as tf.Scalar },
    };
  });
}
