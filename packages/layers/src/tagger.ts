/**
 * BiLSTM sequence tagger (Lample et al. 2016, "Neural architectures for named entity
 * recognition", sec. 2 and 4.1; Huang et al. 2015). Each word is represented by
 *
 *     x_t = [E_w w_t ; →h_chars(w_t) ; ←h_chars(w_t)]
 *
 * its word embedding beside the final states of a BiLSTM run over its characters (which
 * lets the tagger read prefixes and suffixes of words it never saw), dropout on x_t while
 * training, a BiLSTM over the sentence, and a dense layer to per-step tag scores. The
 * output layer is a per-step softmax or a linear-chain CRF over those scores (`crf.ts`).
 */
import { type LstmParams, lstm } from '@recur/cells';
import {
  badArgument,
  checkConfig,
  checkFraction,
  checkKnownKeys,
  checkPositiveInteger,
  checkRng,
  isTensor,
  type Rng,
  shapeMismatch,
} from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';
import { checkTraining } from './apply-options.js';
import { type BidirectionalParams, bidirectional } from './bidirectional.js';
import { type CrfParams, crf } from './crf.js';
import { type DenseParams, dense } from './dense.js';
import { dropoutMask } from './dropout.js';
import { type EmbeddingParams, embedding } from './embedding.js';
import type { WeightSpec } from './layer.js';
import { checkParams } from './param-tree.js';
import { recurrent } from './recurrent.js';
import { checkIdTensor } from './seq2seq/checks.js';

/** The output layers a tagger can have (see `TaggerOutput`). */
export const TAGGER_OUTPUTS = ['softmax', 'crf'] as const;
/** The output layer: independent per-step softmax decisions, or a CRF over the tag sequence. */
export type TaggerOutput = (typeof TAGGER_OUTPUTS)[number];

/** Sizes and options of a `tagger`: vocabularies, tag count, embedding and BiLSTM sizes, output layer and dropout. */
export interface TaggerConfig {
  /** Word ids are in [0, wordVocabSize); id 0 is padding. Required. */
  readonly wordVocabSize: number;
  /** Character ids are in [0, charVocabSize); id 0 is padding. Required. */
  readonly charVocabSize: number;
  /** Number of tags, at least 2. Required. */
  readonly numTags: number;
  /** Word embedding size. Default 100 (Lample et al.). */
  readonly wordDim?: number;
  /** Character embedding size. Default 25 (Lample et al.). */
  readonly charDim?: number;
  /** Units of each direction of the character BiLSTM. Default 25 (Lample et al.). */
  readonly charUnits?: number;
  /** Units of each direction of the sentence BiLSTM. Default 100 (Lample et al.). */
  readonly units?: number;
  /** Default `'softmax'`. */
  readonly output?: TaggerOutput;
  /** Dropout rate on the word representations x_t while training, in [0, 1). Default 0.5 (Lample et al.). */
  readonly dropout?: number;
}

/** A `TaggerConfig` with every default filled in, as `model.config` holds it. */
export type ResolvedTaggerConfig = Readonly<Required<TaggerConfig>>;

/** A batch of sentences: word ids and each word's character ids. */
export interface TaggerInput {
  /** int32 `[batch, time]`; 0 marks padding after (or between) the words. */
  readonly words: tf.Tensor2D;
  /** int32 `[batch, time, chars]`: each word's characters, padded with 0. */
  readonly chars: tf.Tensor3D;
}

/** A tagger's weights; `crf` is present exactly when the output is `'crf'`. */
export interface TaggerParams {
  readonly wordEmbedding: EmbeddingParams;
  readonly charEmbedding: EmbeddingParams;
  readonly charLstm: BidirectionalParams<LstmParams>;
  readonly lstm: BidirectionalParams<LstmParams>;
  readonly output: DenseParams;
  readonly crf?: CrfParams;
}

/** Options of a tagger's `apply`: training mode (dropout) and its random source. */
export interface TaggerApplyOptions {
  /** Dropout on; requires `rng` when the config's dropout is non-zero. Default `false`. */
  readonly training?: boolean;
  readonly rng?: Rng;
}

/** Both tensors are the caller's. */
export interface TaggerOutputTensors {
  /** Per-step tag scores, `[batch, time, numTags]` (the CRF's emissions with output `'crf'`). */
  readonly logits: tf.Tensor3D;
  /** `[batch, time]` float32, 1 at real words. */
  readonly mask: tf.Tensor2D;
}

/** A BiLSTM sequence tagger (from `tagger(config)`): weights, per-step tag scores and predicted tag sequences. */
export interface TaggerModel {
  readonly kind: 'tagger';
  readonly config: ResolvedTaggerConfig;
  /** Fresh weights; the caller owns them. */
  init(rng: Rng): TaggerParams;
  /** Weight shapes by path. */
  weightSpec(): readonly WeightSpec[];
  /** Runs the network to per-step tag scores. Inputs are neither kept nor disposed. */
  apply(params: TaggerParams, input: TaggerInput, options?: TaggerApplyOptions): TaggerOutputTensors;
  /**
   * The tags of each sentence's real words (padding left out): the per-step argmax with
   * output `'softmax'`, the Viterbi path with `'crf'`.
   */
  predict(params: TaggerParams, input: TaggerInput): number[][];
}

const FIELDS = [
  'wordVocabSize',
  'charVocabSize',
  'numTags',
  'wordDim',
  'charDim',
  'charUnits',
  'units',
  'output',
  'dropout',
] as const;

/** A BiLSTM tagger over word embeddings and character-BiLSTM word features, with a softmax or CRF output (Lample et al. 2016). */
export function tagger(config: TaggerConfig): TaggerModel {
  checkConfig(config, FIELDS, 'tagger config');
  const arg = (name: string) => `tagger config.${name}`;
  const output = config.output ?? 'softmax';
  if (!(TAGGER_OUTPUTS as readonly string[]).includes(output)) {
    throw badArgument('BAD_CONFIG', arg('output'), "'softmax' or 'crf'", output);
  }
  const full: ResolvedTaggerConfig = Object.freeze({
    wordVocabSize: checkPositiveInteger(config.wordVocabSize, arg('wordVocabSize')),
    charVocabSize: checkPositiveInteger(config.charVocabSize, arg('charVocabSize')),
    numTags: atLeastTwo(config.numTags, arg('numTags')),
    wordDim: checkPositiveInteger(config.wordDim ?? 100, arg('wordDim')),
    charDim: checkPositiveInteger(config.charDim ?? 25, arg('charDim')),
    charUnits: checkPositiveInteger(config.charUnits ?? 25, arg('charUnits')),
    units: checkPositiveInteger(config.units ?? 100, arg('units')),
    output,
    dropout: checkFraction(config.dropout ?? 0.5, arg('dropout')),
  });
  const words = embedding({ vocabSize: full.wordVocabSize, dim: full.wordDim, paddingId: 0 });
  const chars = embedding({ vocabSize: full.charVocabSize, dim: full.charDim, paddingId: 0 });
  const charLstm = bidirectional(recurrent(lstm({ inputSize: full.charDim, units: full.charUnits })));
  const featureSize = full.wordDim + 2 * full.charUnits;
  const sentenceLstm = bidirectional(
    recurrent(lstm({ inputSize: featureSize, units: full.units }), { returnSequences: true }),
  );
  const head = dense({ inputSize: 2 * full.units, units: full.numTags });
  const chain = full.output === 'crf' ? crf({ numTags: full.numTags }) : undefined;
  const prefix = (name: string, specs: readonly WeightSpec[]) =>
    specs.map((s) => ({ ...s, name: `${name}/${s.name}`, path: [name, ...s.path] }));
  const spec = (): readonly WeightSpec[] => [
    ...prefix('wordEmbedding', words.kerasWeightSpec()),
    ...prefix('charEmbedding', chars.kerasWeightSpec()),
    ...prefix('charLstm', charLstm.kerasWeightSpec()),
    ...prefix('lstm', sentenceLstm.kerasWeightSpec()),
    ...prefix('output', head.kerasWeightSpec()),
    ...(chain === undefined ? [] : prefix('crf', chain.weightSpec())),
  ];

  function checkInput(params: TaggerParams, input: TaggerInput): void {
    if (input === null || typeof input !== 'object' || isTensor(input)) {
      throw badArgument('SHAPE_MISMATCH', 'input', '{ words, chars }', input);
    }
    const [batch, time] = checkIdTensor(input.words, [undefined, undefined], full.wordVocabSize, 'input.words');
    const c = input.chars;
    if (!isTensor(c) || c.rank !== 3 || c.shape[0] !== batch || c.shape[1] !== time || (c.shape[2] as number) < 1) {
      throw shapeMismatch(
        'input.chars',
        `an int32 tensor of shape [${batch}, ${time}, chars] (words' batch and time)`,
        c,
      );
    }
    checkIdTensor(c, [batch, time, c.shape[2]], full.charVocabSize, 'input.chars');
    checkParams(params, spec());
  }

  function run(params: TaggerParams, input: TaggerInput, training: boolean, rng: Rng | undefined) {
    const [batch, time, width] = input.chars.shape;
    const { output: wordVectors, mask } = words.apply(params.wordEmbedding, input.words);
    // Every word of the batch as one character sequence; padding words (all 0) give the zero state.
    const flatChars = tf.reshape(input.chars, [batch * time, width]) as tf.Tensor2D;
    const embedded = chars.apply(params.charEmbedding, flatChars);
    const charFeatures = charLstm.apply(params.charLstm, embedded.output as tf.Tensor3D, {
      mask: embedded.mask as tf.Tensor2D,
    }).output as tf.Tensor2D;
    let x = tf.concat([wordVectors, tf.reshape(charFeatures, [batch, time, 2 * full.charUnits])], 2) as tf.Tensor3D;
    if (training && full.dropout > 0) x = tf.mul(x, dropoutMask(x.shape, full.dropout, rng as Rng));
    const h = sentenceLstm.apply(params.lstm, x, { mask: mask as tf.Tensor2D }).output as tf.Tensor3D;
    const logits = head.apply(params.output, h).output as tf.Tensor3D;
    return { logits, mask: mask as tf.Tensor2D };
  }

  const model: TaggerModel = {
    kind: 'tagger',
    config: full,
    init(rng) {
      checkRng(rng, 'tagger init rng');
      return {
        wordEmbedding: words.init(rng),
        charEmbedding: chars.init(rng),
        charLstm: charLstm.init(rng),
        lstm: sentenceLstm.init(rng),
        output: head.init(rng),
        ...(chain === undefined ? {} : { crf: chain.init(rng) }),
      };
    },
    weightSpec: spec,
    apply(params, input, options = {}) {
      checkKnownKeys(options, ['training', 'rng'], 'options');
      const training = checkTraining(options, full.dropout > 0);
      checkInput(params, input);
      return tf.tidy(() => run(params, input, training, options.rng));
    },
    predict(params, input) {
      checkInput(params, input);
      const { logits, mask } = tf.tidy(() => run(params, input, false, undefined));
      try {
        if (chain !== undefined) return chain.viterbi(params.crf as CrfParams, logits, { mask }).map((p) => p.tags);
        return argmaxTags(logits, mask);
      } finally {
        tf.dispose([logits, mask]);
      }
    },
  };
  return Object.freeze(model);
}

function atLeastTwo(value: unknown, argument: string): number {
  if (checkPositiveInteger(value, argument) < 2) throw badArgument('BAD_CONFIG', argument, 'an integer ≥ 2', value);
  return value as number;
}

/** Per-step argmax at the real steps of each row. */
function argmaxTags(logits: tf.Tensor3D, mask: tf.Tensor2D): number[][] {
  const [batch, time] = mask.shape;
  const best = tf.argMax(logits, 2);
  const ids = best.dataSync();
  best.dispose();
  const real = mask.dataSync();
  return Array.from({ length: batch }, (_, b) => {
    const row: number[] = [];
    for (let t = 0; t < time; t++) if (real[b * time + t] !== 0) row.push(ids[b * time + t] as number);
    return row;
  });
}
