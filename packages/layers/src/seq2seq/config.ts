/**
 * The configuration of `seq2seq`: checked in full (every size against its neighbour)
 * before any weight exists, so a model that builds is a model that runs.
 */
import {
  badArgument,
  type Carry,
  type Cell,
  checkConfig,
  checkPositiveInteger,
  type Params,
  resolveInitializerName,
} from '@recur/core';
import { type BidirectionalLayer, bidirectional } from '../bidirectional.js';
import { type RecurrentLayer, recurrent } from '../recurrent.js';
import { ATTENTION_KINDS, type AttentionKind } from './attention.js';

/** An encoder layer: `recurrent(cell, { returnSequences: true })`, optionally wrapped in `bidirectional`. */
export type EncoderLayer = RecurrentLayer<Carry, Params, boolean> | BidirectionalLayer<Carry, Params, boolean>;

export const BRIDGES = ['projection', 'zeros'] as const;
/** How the decoder's initial carry comes from the encoder's final state (see `Seq2SeqConfig.bridge`). */
export type Bridge = (typeof BRIDGES)[number];

export interface Seq2SeqConfig {
  /** Source token ids are in [0, sourceVocabSize). Required. */
  readonly sourceVocabSize: number;
  /** Target token ids are in [0, targetVocabSize); the logits have this many classes. Required. */
  readonly targetVocabSize: number;
  /** Source embedding size; the first encoder layer's input size. Required. */
  readonly sourceEmbeddingDim: number;
  /** Target embedding size. Required. */
  readonly targetEmbeddingDim: number;
  /**
   * Recurrent layers run in turn over the embedded source, each built with
   * `returnSequences: true` (attention reads every step), optionally `bidirectional`
   * (merge other than `'none'`). The last one's outputs are the attention memory.
   * Required, at least one.
   */
  readonly encoder: readonly EncoderLayer[];
  /**
   * The decoder's cell. With input feeding its input is [embedding; h̃_{t−1}], so
   * `decoder.inputSize` must be `targetEmbeddingDim + attentionalSize`. Required.
   */
  readonly decoder: Cell;
  /** Score function (see `attention`). Required. */
  readonly attention: AttentionKind;
  /** Hidden width of `'additive'` attention. Default: the decoder's output size. */
  readonly attentionUnits?: number;
  /** Size of the attentional vector h̃_t = tanh(W_c [c_t; h_t]). Default: the decoder's output size. */
  readonly attentionalSize?: number;
  /**
   * `'projection'` (default): each decoder carry field starts as tanh(s·W + b), s the
   * encoder's final value of the field with the same name (both directions concatenated
   * for a bidirectional layer) or, when the encoder has no such field, all its final
   * fields concatenated. Learned, so any sizes and cell kinds fit (Bahdanau et al. 2015,
   * appendix A.2.2, s₀ = tanh(W_s h₁)). `'zeros'`: the decoder starts from zeros.
   */
  readonly bridge?: Bridge;
  /** Every weight matrix except the cells'. Default `'glorotUniform'`. */
  readonly kernelInitializer?: string;
  /** Both embeddings. Default `'uniform'` (as Keras). */
  readonly embeddingsInitializer?: string;
}

export interface ResolvedSeq2SeqConfig {
  readonly sourceVocabSize: number;
  readonly targetVocabSize: number;
  readonly sourceEmbeddingDim: number;
  readonly targetEmbeddingDim: number;
  readonly attention: AttentionKind;
  readonly attentionUnits: number;
  readonly attentionalSize: number;
  readonly bridge: Bridge;
  readonly kernelInitializer: string;
  readonly embeddingsInitializer: string;
  /** Features of each encoder output (the attention memory). */
  readonly memorySize: number;
}

const FIELDS = [
  'sourceVocabSize',
  'targetVocabSize',
  'sourceEmbeddingDim',
  'targetEmbeddingDim',
  'encoder',
  'decoder',
  'attention',
  'attentionUnits',
  'attentionalSize',
  'bridge',
  'kernelInitializer',
  'embeddingsInitializer',
] as const;

/**
 * Checks `config` and returns it resolved, with the encoder layers rebuilt to also
 * return their final state (the bridge needs it; users need not ask for it).
 */
export function resolveConfig(config: Seq2SeqConfig): {
  full: ResolvedSeq2SeqConfig;
  encoder: readonly EncoderLayer[];
  decoder: Cell;
} {
  checkConfig(config, FIELDS, 'seq2seq config');
  const sourceVocabSize = checkPositiveInteger(config.sourceVocabSize, 'seq2seq config.sourceVocabSize');
  const targetVocabSize = checkPositiveInteger(config.targetVocabSize, 'seq2seq config.targetVocabSize');
  const sourceEmbeddingDim = checkPositiveInteger(config.sourceEmbeddingDim, 'seq2seq config.sourceEmbeddingDim');
  const targetEmbeddingDim = checkPositiveInteger(config.targetEmbeddingDim, 'seq2seq config.targetEmbeddingDim');
  const { attention: kind, decoder } = config;
  if (!(ATTENTION_KINDS as readonly unknown[]).includes(kind)) {
    throw badArgument(
      'BAD_CONFIG',
      'seq2seq config.attention',
      `one of ${ATTENTION_KINDS.map((k) => `'${k}'`).join(', ')}`,
      kind,
    );
  }
  const bridge = config.bridge ?? 'projection';
  if (!(BRIDGES as readonly unknown[]).includes(bridge)) {
    throw badArgument('BAD_CONFIG', 'seq2seq config.bridge', "'projection' or 'zeros'", bridge);
  }
  if (decoder === null || typeof decoder !== 'object' || typeof decoder.step !== 'function') {
    throw badArgument('BAD_CONFIG', 'seq2seq config.decoder', 'a Cell from @recur/cells', decoder);
  }
  const encoder = checkEncoder(config.encoder, sourceEmbeddingDim);
  const memorySize = (encoder[encoder.length - 1] as EncoderLayer).outputSize as number;
  const querySize = decoder.outputSize;
  if (kind === 'dot' && memorySize !== querySize) {
    throw badArgument(
      'BAD_CONFIG',
      'seq2seq config.decoder.outputSize',
      `${memorySize} (the encoder's output size: 'dot' attention compares them directly)`,
      querySize,
    );
  }
  if (kind !== 'additive' && config.attentionUnits !== undefined) {
    throw badArgument(
      'BAD_CONFIG',
      'seq2seq config.attentionUnits',
      "undefined (only 'additive' attention has units)",
      config.attentionUnits,
    );
  }
  const attentionUnits =
    kind === 'additive' ? checkPositiveInteger(config.attentionUnits ?? querySize, 'seq2seq config.attentionUnits') : 0;
  const attentionalSize = checkPositiveInteger(config.attentionalSize ?? querySize, 'seq2seq config.attentionalSize');
  if (decoder.inputSize !== targetEmbeddingDim + attentionalSize) {
    throw badArgument(
      'BAD_CONFIG',
      'seq2seq config.decoder.inputSize',
      `${targetEmbeddingDim + attentionalSize} (targetEmbeddingDim ${targetEmbeddingDim} + attentionalSize ${attentionalSize}: input feeding)`,
      decoder.inputSize,
    );
  }
  const full: ResolvedSeq2SeqConfig = Object.freeze({
    sourceVocabSize,
    targetVocabSize,
    sourceEmbeddingDim,
    targetEmbeddingDim,
    attention: kind,
    attentionUnits,
    attentionalSize,
    bridge,
    kernelInitializer: resolveInitializerName(
      config.kernelInitializer ?? 'glorotUniform',
      'seq2seq config.kernelInitializer',
    ),
    embeddingsInitializer: resolveInitializerName(
      config.embeddingsInitializer ?? 'uniform',
      'seq2seq config.embeddingsInitializer',
    ),
    memorySize,
  });
  return { full, encoder, decoder };
}

function checkEncoder(layers: unknown, inputSize: number): EncoderLayer[] {
  if (!Array.isArray(layers) || layers.length === 0) {
    throw badArgument('BAD_CONFIG', 'seq2seq config.encoder', 'a non-empty array of recurrent layers', layers);
  }
  let size = inputSize;
  return layers.map((layer: unknown, i) => {
    const argument = `seq2seq config.encoder[${i}]`;
    const l = layer as Partial<EncoderLayer> | null;
    if (l === null || typeof l !== 'object' || (l.kind !== 'recurrent' && l.kind !== 'bidirectional')) {
      throw badArgument('BAD_CONFIG', argument, 'a recurrent or bidirectional layer', layer);
    }
    const rebuilt = withState(l as EncoderLayer, argument);
    if (rebuilt.inputSize !== size) {
      throw badArgument(
        'BAD_CONFIG',
        `${argument}.inputSize`,
        `${size} (${i === 0 ? 'sourceEmbeddingDim' : 'the output size before it'})`,
        rebuilt.inputSize,
      );
    }
    size = rebuilt.outputSize as number;
    return rebuilt;
  });
}

/** The same layer returning its final state; refuses layers whose outputs attention cannot read. */
function withState(layer: EncoderLayer, argument: string): EncoderLayer {
  const options = layer.kind === 'recurrent' ? layer.options : layer.forward.options;
  if (!options.returnSequences) {
    throw badArgument(
      'BAD_CONFIG',
      `${argument}.options.returnSequences`,
      'true (attention reads every encoder step)',
      false,
    );
  }
  // Outputs in processing order would no longer line up with the source mask.
  if (options.reverse && !options.keepOrder) {
    throw badArgument('BAD_CONFIG', `${argument}.options.keepOrder`, 'true when reverse is true', false);
  }
  if (layer.kind === 'recurrent') return recurrent(layer.cell, { ...options, returnState: true });
  if (layer.merge === 'none') {
    throw badArgument('BAD_CONFIG', `${argument}.merge`, "'concat', 'sum', 'ave' or 'mul'", 'none');
  }
  return bidirectional(recurrent(layer.forward.cell, { ...options, returnState: true }), {
    merge: layer.merge,
    maskedOutput: options.maskedOutput,
  });
}
