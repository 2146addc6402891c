/**
 * A small seq2seq model for the decoding and sampling tests: a stacked encoder (a
 * bidirectional LSTM, then a GRU) and an LSTM decoder, so the bridge maps a GRU's `{ h }`
 * onto an LSTM's `{ h, c }`; ragged sources with their padded tensors.
 */
import { gru, lstm } from '@recur/cells';
import * as tf from '@tensorflow/tfjs-core';
import { type AttentionKind, bidirectional, recurrent, type Seq2SeqConfig, seq2seq } from '../../src/index.js';

export const SOURCE_VOCAB = 9;
export const TARGET_VOCAB = 7;
export const BEGIN = 1;
export const SOURCES = [
  [3, 1, 4, 1, 5],
  [2, 7],
  [8, 6, 6],
];
/** Decoder inputs, one row per source: BEGIN then arbitrary target ids. */
export const TARGET_IN = [
  [BEGIN, 4, 2, 6, 0],
  [BEGIN, 3, 3, 5, 2],
  [BEGIN, 6, 0, 1, 4],
];

export function smallModel(attention: AttentionKind, overrides: Partial<Seq2SeqConfig> = {}) {
  const decoderUnits = attention === 'dot' ? 8 : 6;
  return seq2seq({
    sourceVocabSize: SOURCE_VOCAB,
    targetVocabSize: TARGET_VOCAB,
    sourceEmbeddingDim: 4,
    targetEmbeddingDim: 3,
    encoder: [
      bidirectional(recurrent(lstm({ inputSize: 4, units: 5 }), { returnSequences: true })),
      recurrent(gru({ inputSize: 10, units: 8 }), { returnSequences: true }),
    ],
    decoder: lstm({ inputSize: 3 + 7, units: decoderUnits }),
    attention,
    attentionalSize: 7,
    ...overrides,
  });
}

/** `SOURCES` padded with 0 and their lengths; the caller owns the tensor. */
export function paddedSources(): { source: tf.Tensor2D; sourceLengths: number[] } {
  const width = Math.max(...SOURCES.map((s) => s.length));
  return {
    source: tf.tensor2d(
      SOURCES.map((s) => Array.from({ length: width }, (_, t) => s[t] ?? 0)),
      [SOURCES.length, width],
      'int32',
    ),
    sourceLengths: SOURCES.map((s) => s.length),
  };
}
