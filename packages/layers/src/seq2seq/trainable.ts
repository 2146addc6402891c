/**
 * A seq2seq model as the `TrainableModel` that `fit` in `@recur/train` trains (matched
 * structurally: this package does not depend on the trainer): named variables and a
 * masked softmax cross-entropy over the target tokens.
 */
import { badArgument, type Rng } from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';
import { checkKnownKeys, isTensor } from '../internal/checks.js';
import { toVariables } from '../internal/variables.js';
import type { ParamTree } from '../layer.js';
import { checkIdTensor, checkProbability, checkTargetMask } from './checks.js';
import type { Seq2SeqParams } from './network.js';
import { checkSeq2SeqParams, networkOf, type Seq2SeqInput, type Seq2SeqModel } from './seq2seq.js';

/** A training batch: `Seq2SeqInput` plus what the decoder should emit at each step. */
export interface Seq2SeqBatch extends Seq2SeqInput {
  /** int32 `[batch, time]`: `targetIn` shifted left, ending with the end token. */
  readonly targetOut: tf.Tensor2D;
  /** `[batch, time]`, 1 where `targetOut` counts, 0 on padding (any dtype). Default: all count. */
  readonly targetMask?: tf.Tensor2D;
}

export interface Seq2SeqTrainableOptions {
  /**
   * Scheduled-sampling probability in training steps (see `Seq2SeqApplyOptions`), or a
   * function called once per training step that returns it (a schedule over your own
   * step counter, e.g. Bengio et al.'s inverse-sigmoid decay). Default 0.
   */
  readonly samplingProbability?: number | (() => number);
}

export interface Seq2SeqTrainable {
  /** Every weight as a `tf.Variable`, keyed by its path (`'encoder/0/forward/kernel'`): the checkpoint keys. */
  readonly variables: Readonly<Record<string, tf.Variable>>;
  /** The same variables as the params tree `apply` and `seq2seqStepModel` take. */
  readonly params: Seq2SeqParams;
  /**
   * Mean cross-entropy of `targetOut` over the positions `targetMask` keeps, with the
   * token accuracy over them as `metrics.accuracy`. `context` is `fit`'s step context.
   */
  loss(
    batch: Seq2SeqBatch,
    context: { readonly training: boolean; readonly rng: Rng },
  ): { loss: tf.Scalar; metrics: { accuracy: tf.Scalar } };
  /** Disposes the variables. */
  dispose(): void;
}

/**
 * Trainable variables initialised from `params` (which stay the caller's, untouched), with
 * the loss `fit` minimises:
 *
 * ```ts
 * const trainable = seq2seqTrainable(model, model.init(new Rng(1)));
 * await fit(trainable, data, { epochs: 10, optimizer: { kind: 'adam', learningRate: 0.01 } });
 * const decoder = seq2seqStepModel(model, trainable.params, sources);
 * ```
 */
export function seq2seqTrainable(
  model: Seq2SeqModel,
  params: Seq2SeqParams,
  options: Seq2SeqTrainableOptions = {},
): Seq2SeqTrainable {
  const net = networkOf(model);
  checkSeq2SeqParams(net, params);
  checkKnownKeys(options, ['samplingProbability'], 'options');
  const schedule = options.samplingProbability;
  if (typeof schedule !== 'function') checkProbability(schedule, 'options.samplingProbability');
  const variables: Record<string, tf.Variable> = {};
  const tree = toVariables(params as unknown as ParamTree, [], variables) as unknown as Seq2SeqParams;
  const targetVocab = net.full.targetVocabSize;

  return Object.freeze({
    variables,
    params: tree,
    loss(batch: Seq2SeqBatch, context: { readonly training: boolean; readonly rng: Rng }) {
      if (batch === null || typeof batch !== 'object' || isTensor(batch)) {
        throw badArgument('SHAPE_MISMATCH', 'batch', '{ source, targetIn, targetOut, … }', batch);
      }
      const { targetOut, targetMask, ...input } = batch;
      const [b, time] = checkIdTensor(input.targetIn, [undefined, undefined], targetVocab, 'batch.targetIn');
      checkIdTensor(targetOut, [b, time], targetVocab, 'batch.targetOut');
      checkTargetMask(targetMask, b as number, time as number, 'batch.targetMask');
      const training = context?.training === true;
      const p = typeof schedule === 'function' ? (training ? schedule() : 0) : (schedule ?? 0);
      const samplingProbability = checkProbability(p, 'options.samplingProbability()');
      return tf.tidy(() => {
        const { logits } = model.apply(tree, input, {
          training,
          ...(context?.rng === undefined ? {} : { rng: context.rng }),
          samplingProbability,
        });
        const logp = tf.logSoftmax(logits);
        const picked = tf.sum(tf.mul(logp, tf.oneHot(targetOut, targetVocab)), -1);
        const weight = targetMask === undefined ? tf.onesLike(picked) : tf.cast(tf.notEqual(targetMask, 0), 'float32');
        // max(count, 1): a batch of padding only gives 0, not NaN.
        const count = tf.maximum(tf.sum(weight), 1);
        const loss = tf.div(tf.neg(tf.sum(tf.mul(picked, weight))), count) as tf.Scalar;
        const hits = tf.cast(tf.equal(tf.argMax(logits, -1), targetOut), 'float32');
        const accuracy = tf.div(tf.sum(tf.mul(hits, weight)), count) as tf.Scalar;
        return { loss, metrics: { accuracy } };
      });
    },
    dispose: () => tf.dispose(Object.values(variables)),
  });
}
