/**
 * Encoder–decoder with attention (Sutskever et al. 2014; Bahdanau et al. 2015; Luong et
 * al. 2015). The decoder follows Luong et al. with input feeding (see `network.ts`);
 * the score function is configurable (`'additive'` is Bahdanau's). Training runs the
 * decoder over the whole target with teacher forcing, optionally with scheduled sampling
 * (Bengio et al. 2015); decoding runs it one token at a time through `seq2seqStepModel`.
 */
import { badArgument, checkBoolean, checkKnownKeys, checkRng, isRng, isTensor, type Rng } from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';
import { checkParams } from '../param-tree.js';
import type { Attention } from './attention.js';
import { checkIdTensor, checkProbability, checkSourceMask } from './checks.js';
import { type EncoderLayer, type ResolvedSeq2SeqConfig, resolveConfig, type Seq2SeqConfig } from './config.js';
import { type Network, network, type Seq2SeqParams } from './network.js';

/** One batch of sources with the decoder's input tokens. */
export interface Seq2SeqInput {
  /** int32 source ids `[batch, source]`. */
  readonly source: tf.Tensor2D;
  /** `[batch, source]`, 1 at real positions, 0 at padding (any dtype). Or give `sourceLengths`. Default: all real. */
  readonly sourceMask?: tf.Tensor2D;
  /** Real length of each source row, in [1, source]; the rest is padding. */
  readonly sourceLengths?: readonly number[];
  /** int32 decoder inputs `[batch, time]`: the begin token, then the target shifted right. */
  readonly targetIn: tf.Tensor2D;
}

export interface Seq2SeqApplyOptions {
  /** Training mode: encoder dropout and scheduled sampling. Default `false`. */
  readonly training?: boolean;
  /** Randomness for encoder dropout and scheduled-sampling coins; required when either is used. */
  readonly rng?: Rng;
  /**
   * Scheduled sampling (Bengio et al. 2015), used only when `training`: at each step
   * after the first, each row feeds the model's own most probable token of the step
   * before (argmax, no gradient through the choice) with this probability, and the
   * given `targetIn` token otherwise. One `rng.next()` per row per step, drawn before
   * anything else. Default 0: teacher forcing, no draws.
   */
  readonly samplingProbability?: number;
}

/** The caller owns both tensors. */
export interface Seq2SeqOutput {
  /** Unnormalised next-token scores, `[batch, time, targetVocabSize]`. */
  readonly logits: tf.Tensor3D;
  /** Attention weights a_t(s), `[batch, time, source]`: each row sums to 1 over real source positions, 0 on padding. */
  readonly attention: tf.Tensor3D;
}

export interface Seq2SeqModel {
  readonly kind: 'seq2seq';
  readonly config: ResolvedSeq2SeqConfig;
  /** The encoder layers as run (rebuilt to also return their final state). */
  readonly encoder: readonly EncoderLayer[];
  /** The decoder's cell. */
  readonly decoder: Seq2SeqConfig['decoder'];
  readonly attention: Attention;
  /** Fresh weights; the caller owns them. */
  init(rng: Rng): Seq2SeqParams;
  /**
   * The teacher-forced (or scheduled-sampling) pass over `input.targetIn`. Checks every
   * argument (token ids against the vocabularies included) before any tfjs op. Inputs are
   * neither kept nor disposed; the caller owns the result.
   */
  apply(params: Seq2SeqParams, input: Seq2SeqInput, options?: Seq2SeqApplyOptions): Seq2SeqOutput;
}

const networks = new WeakMap<object, Network>();

/** The computation behind a model made by `seq2seq` (for the step model and the trainer). */
export function networkOf(model: unknown, argument = 'model'): Network {
  const net = model !== null && typeof model === 'object' ? networks.get(model) : undefined;
  if (net === undefined) throw badArgument('BAD_CONFIG', argument, 'a model made by seq2seq(config)', model);
  return net;
}

/**
 * ```ts
 * const model = seq2seq({
 *   sourceVocabSize: 12, targetVocabSize: 13, sourceEmbeddingDim: 16, targetEmbeddingDim: 16,
 *   encoder: [bidirectional(recurrent(gru({ inputSize: 16, units: 32 }), { returnSequences: true }))],
 *   decoder: lstm({ inputSize: 16 + 64, units: 64 }),   // embedding + attentional vector
 *   attention: 'general',
 * });
 * ```
 */
export function seq2seq(config: Seq2SeqConfig): Seq2SeqModel {
  const { full, encoder, decoder } = resolveConfig(config);
  const net = network(full, encoder, decoder);
  const model: Seq2SeqModel = Object.freeze({
    kind: 'seq2seq' as const,
    config: full,
    encoder,
    decoder,
    attention: net.attention,
    init: (rng: Rng) => net.init(checkRng(rng, 'seq2seq init rng')),
    apply: (params: Seq2SeqParams, input: Seq2SeqInput, options: Seq2SeqApplyOptions = {}) =>
      teacherForced(net, params, input, options),
  });
  networks.set(model, net);
  return model;
}

/** Checks `params` against the model: its own weights by shape, one entry per encoder layer. */
export function checkSeq2SeqParams(net: Network, params: unknown): asserts params is Seq2SeqParams {
  if (params === null || typeof params !== 'object') {
    throw badArgument('BAD_CONFIG', 'params', 'the params of this model (model.init(rng))', params);
  }
  const enc = (params as { encoder?: unknown }).encoder;
  if (!Array.isArray(enc) || enc.length !== net.encoder.length) {
    throw badArgument('BAD_CONFIG', 'params.encoder', `an array of ${net.encoder.length} param sets`, enc);
  }
  const dec = (params as { decoder?: unknown }).decoder;
  if (dec === null || typeof dec !== 'object' || isTensor(dec)) {
    throw badArgument('BAD_CONFIG', 'params.decoder', "the decoder cell's params", dec);
  }
  checkParams(params, net.spec());
}

/** Checks the source half of an input (ids, mask) and the encoder layers' options; returns batch and length. */
export function checkSource(
  net: Network,
  input: { source?: unknown; sourceMask?: unknown; sourceLengths?: unknown },
  training: boolean,
  rng: unknown,
  prefix: string,
): [number, number] {
  const [batch, time] = checkIdTensor(
    input.source,
    [undefined, undefined],
    net.full.sourceVocabSize,
    `${prefix}source`,
  ) as [number, number];
  checkSourceMask(input.sourceMask, input.sourceLengths, batch, time, prefix);
  let shape: readonly number[] = [batch, time, net.full.sourceEmbeddingDim];
  net.encoder.forEach((layer, i) => {
    shape = layer.checkInput(
      shape,
      { training, ...(isRng(rng) ? { rng } : {}) },
      i === 0 ? `embedded ${prefix}source` : `output of encoder[${i - 1}]`,
    );
  });
  return [batch, time];
}

/** The `[batch, source]` float32 mask (1 = real), or `undefined` when every position is real. */
export function sourceMaskTensor(
  input: { sourceMask?: tf.Tensor2D; sourceLengths?: readonly number[] },
  time: number,
): tf.Tensor2D | undefined {
  if (input.sourceMask !== undefined) return tf.cast(tf.notEqual(input.sourceMask, 0), 'float32') as tf.Tensor2D;
  const lengths = input.sourceLengths;
  if (lengths === undefined || lengths.every((n) => n === time)) return undefined;
  return tf.tensor2d(
    lengths.flatMap((n) => Array.from({ length: time }, (_, t) => (t < n ? 1 : 0))),
    [lengths.length, time],
    'float32',
  );
}

const INPUT_FIELDS = ['source', 'sourceMask', 'sourceLengths', 'targetIn'];

function teacherForced(
  net: Network,
  params: Seq2SeqParams,
  input: Seq2SeqInput,
  options: Seq2SeqApplyOptions,
): Seq2SeqOutput {
  checkKnownKeys(options, ['training', 'rng', 'samplingProbability'], 'options');
  if (input === null || typeof input !== 'object' || isTensor(input)) {
    throw badArgument('SHAPE_MISMATCH', 'input', '{ source, sourceMask? | sourceLengths?, targetIn }', input);
  }
  checkKnownKeys(input, INPUT_FIELDS, 'input');
  const training = checkBoolean(options.training, 'options.training', false);
  const probability = checkProbability(options.samplingProbability, 'options.samplingProbability');
  const sampling = training && probability > 0;
  if (sampling && !isRng(options.rng)) {
    throw badArgument('BAD_CONFIG', 'options.rng', 'an Rng (scheduled sampling draws from it)', options.rng);
  }
  const [batch, sourceTime] = checkSource(net, input, training, options.rng, 'input.');
  const [, time] = checkIdTensor(input.targetIn, [batch, undefined], net.full.targetVocabSize, 'input.targetIn') as [
    number,
    number,
  ];
  checkSeq2SeqParams(net, params);
  const rng = options.rng;
  // Coins first, so the encoder's dropout draws do not shift them.
  const coins = sampling ? drawCoins(rng as Rng, time, batch, probability) : undefined;
  return tf.tidy(() => {
    const mask = sourceMaskTensor(input, sourceTime);
    const { encoded, state: initial } = net.encode(params, input.source, mask, training, rng);
    const teacher = tf.unstack(net.embedTargets(params, input.targetIn), 1) as tf.Tensor2D[];
    const tokens = coins === undefined ? [] : (tf.unstack(input.targetIn, 1) as tf.Tensor1D[]);
    let state = initial;
    const logits: tf.Tensor2D[] = [];
    const weights: tf.Tensor2D[] = [];
    for (let t = 0; t < time; t++) {
      let embedded = teacher[t] as tf.Tensor2D;
      const own = coins?.[t];
      if (own?.some(Boolean)) {
        const predicted = tf.argMax(logits[t - 1] as tf.Tensor2D, 1) as tf.Tensor1D;
        const ids = tf.where(tf.tensor1d(own, 'bool'), predicted, tokens[t] as tf.Tensor1D);
        embedded = net.embedTargets(params, ids) as tf.Tensor2D;
      }
      const out = net.step(params, encoded, state, embedded);
      state = out.state;
      logits.push(out.logits);
      weights.push(out.weights);
    }
    return { logits: tf.stack(logits, 1), attention: tf.stack(weights, 1) };
  }) as unknown as Seq2SeqOutput;
}

/** `coins[t][b]`: row b feeds its own prediction at step t (never at t = 0). */
function drawCoins(rng: Rng, time: number, batch: number, probability: number): boolean[][] {
  const coins: boolean[][] = [Array.from({ length: batch }, () => false)];
  for (let t = 1; t < time; t++) coins.push(Array.from({ length: batch }, () => rng.next() < probability));
  return coins;
}
