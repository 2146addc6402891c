import { gru, lstm } from '@recur/cells';
import { Rng } from '@recur/core';
import { checkLeaks, describeBackends } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, it } from 'vitest';
import {
  type AttentionKind,
  bidirectional,
  type EncoderLayer,
  recurrent,
  type Seq2SeqBatch,
  type Seq2SeqConfig,
  seq2seq,
  seq2seqStepModel,
  seq2seqTrainable,
} from '../src/index.js';
import { expectRecurError } from './helpers/errors.js';
import { BEGIN, paddedSources, SOURCES, smallModel, TARGET_IN } from './helpers/seq2seq-fixture.js';

const base = (): Seq2SeqConfig => ({
  sourceVocabSize: 9,
  targetVocabSize: 7,
  sourceEmbeddingDim: 4,
  targetEmbeddingDim: 3,
  encoder: [recurrent(gru({ inputSize: 4, units: 8 }), { returnSequences: true })],
  decoder: lstm({ inputSize: 3 + 8, units: 8 }),
  attention: 'general',
});

describeBackends('seq2seq bad input', () => {
  checkLeaks();
  const model = smallModel('additive');

  describe('seq2seq(config)', () => {
    it('should refuse an unknown attention kind, naming the known ones', () => {
      expectRecurError(() => seq2seq({ ...base(), attention: 'luong' as AttentionKind }), 'BAD_CONFIG', [
        'seq2seq config.attention',
        "'additive', 'dot', 'general'",
        "received 'luong'",
      ]);
    });

    it('should refuse a decoder whose input is not the embedding plus the attentional vector', () => {
      expectRecurError(() => seq2seq({ ...base(), decoder: lstm({ inputSize: 3, units: 8 }) }), 'BAD_CONFIG', [
        'seq2seq config.decoder.inputSize',
        'expected 11 (targetEmbeddingDim 3 + attentionalSize 8',
        'received 3',
      ]);
    });

    it("should refuse 'dot' attention between different encoder and decoder sizes", () => {
      expectRecurError(
        () => seq2seq({ ...base(), attention: 'dot', decoder: lstm({ inputSize: 3 + 6, units: 6 }) }),
        'BAD_CONFIG',
        ['seq2seq config.decoder.outputSize', 'expected 8', 'received 6'],
      );
    });

    it('should refuse encoder layers attention cannot read or that do not chain', () => {
      expectRecurError(
        () => seq2seq({ ...base(), encoder: [recurrent(gru({ inputSize: 4, units: 8 }))] }),
        'BAD_CONFIG',
        ['seq2seq config.encoder[0].options.returnSequences', 'expected true', 'received false'],
      );
      expectRecurError(
        () => seq2seq({ ...base(), encoder: [recurrent(gru({ inputSize: 5, units: 8 }), { returnSequences: true })] }),
        'BAD_CONFIG',
        ['seq2seq config.encoder[0].inputSize', 'expected 4 (sourceEmbeddingDim)', 'received 5'],
      );
      const none = bidirectional(recurrent(gru({ inputSize: 4, units: 8 }), { returnSequences: true }), {
        merge: 'none',
      });
      expectRecurError(() => seq2seq({ ...base(), encoder: [none as unknown as EncoderLayer] }), 'BAD_CONFIG', [
        'seq2seq config.encoder[0].merge',
        "received 'none'",
      ]);
      expectRecurError(() => seq2seq({ ...base(), encoder: [] }), 'BAD_CONFIG', [
        'seq2seq config.encoder',
        'non-empty',
      ]);
    });

    it('should refuse an unknown bridge and misspelt fields', () => {
      expectRecurError(() => seq2seq({ ...base(), bridge: 'copy' as 'zeros' }), 'BAD_CONFIG', [
        'seq2seq config.bridge',
        "'projection' or 'zeros'",
        "received 'copy'",
      ]);
      expectRecurError(() => seq2seq({ ...base(), attentionUnit: 4 } as Seq2SeqConfig), 'BAD_CONFIG', [
        'seq2seq config.attentionUnit',
      ]);
    });
  });

  describe('apply', () => {
    it('should name the argument, the expected and the received shape or id, before any tfjs op', () => {
      const params = model.init(new Rng(1));
      const { source, sourceLengths } = paddedSources();
      const targetIn = tf.tensor2d(TARGET_IN, [3, 5], 'int32');
      const t = {
        rank1: tf.tensor1d([1, 2], 'int32'),
        float: tf.zeros([3, 5]),
        mask: tf.ones([3, 4]),
        shortBatch: tf.tensor2d([[BEGIN, 2]], [1, 2], 'int32'),
        badSource: tf.tensor2d(
          [[1, 2, 9, 0, 0], ...SOURCES.slice(1).map((s) => [...s, 0, 0, 0].slice(0, 5))],
          [3, 5],
          'int32',
        ),
        badTarget: tf.tensor2d(
          [
            [BEGIN, 4, 2, 6, 0],
            [BEGIN, 3, 3, -1, 2],
            [BEGIN, 6, 0, 1, 4],
          ],
          [3, 5],
          'int32',
        ),
      };
      const apply =
        (input: object, options = {}) =>
        () =>
          model.apply(params, input as never, options);
      expectRecurError(apply({ source: t.rank1, targetIn }), 'SHAPE_MISMATCH', [
        'input.source',
        'an int32 tensor of shape [batch, time]',
        'received a int32 tensor of shape [2]',
      ]);
      expectRecurError(apply({ source: t.float, targetIn }), 'SHAPE_MISMATCH', ['input.source', 'float32 tensor']);
      expectRecurError(apply({ source, sourceMask: t.mask, targetIn }), 'SHAPE_MISMATCH', [
        'input.sourceMask',
        'expected a tensor of shape [3, 5]',
        'received a float32 tensor of shape [3, 4]',
      ]);
      expectRecurError(apply({ source, sourceLengths: [5, 2, 6], targetIn }), 'BAD_DATA', [
        'input.sourceLengths',
        'integers in [1, 5]',
        '[5, 2, 6]',
      ]);
      expectRecurError(apply({ source, targetIn: t.shortBatch }), 'SHAPE_MISMATCH', [
        'input.targetIn',
        'shape [3, time]',
        '[1, 2]',
      ]);
      expectRecurError(apply({ source: t.badSource, targetIn }), 'BAD_DATA', [
        'input.source[0][2]',
        'a token id in [0, 9)',
        'received 9',
      ]);
      expectRecurError(apply({ source, sourceLengths, targetIn: t.badTarget }), 'BAD_DATA', [
        'input.targetIn[1][3]',
        'a token id in [0, 7)',
        'received -1',
      ]);
      expectRecurError(apply({ source, targetIn }, { training: true, samplingProbability: 0.5 }), 'BAD_CONFIG', [
        'options.rng',
        'an Rng',
      ]);
      expectRecurError(apply({ source, targetIn }, { samplingProbability: 1.5 }), 'BAD_CONFIG', [
        'options.samplingProbability',
        'a number in [0, 1]',
        'received 1.5',
      ]);
      expectRecurError(apply({ source, targetIn, target: targetIn }), 'BAD_CONFIG', ['input.target']);
      const { attention: _attention, ...noAttention } = params;
      expectRecurError(() => model.apply({ ...noAttention, attention: {} }, { source, targetIn }), 'SHAPE_MISMATCH', [
        'params.attention.queryKernel',
        'a tensor of shape [6, 6]',
        'undefined',
      ]);
      tf.dispose([params, source, targetIn, t] as unknown as tf.TensorContainer);
    });
  });

  describe('seq2seqStepModel', () => {
    it('should refuse ids outside the vocabularies, a prompt count unlike the sources, and bad rows', () => {
      const params = model.init(new Rng(2));
      expectRecurError(
        () =>
          seq2seqStepModel(model, params, [
            [1, 2],
            [3, 12],
          ]),
        'BAD_DATA',
        ['sources[1][1]', 'a token id in [0, 9)', 'received 12'],
      );
      expectRecurError(() => seq2seqStepModel(model, params, [[1, 2], []]), 'BAD_DATA', ['sources[1]', 'non-empty']);
      const decoder = seq2seqStepModel(model, params, SOURCES);
      expectRecurError(() => decoder.start([[BEGIN], [BEGIN]]), 'BAD_DATA', ['prompts', 'an array of 3 arrays']);
      expectRecurError(() => decoder.start([[BEGIN], [BEGIN, 7], [BEGIN]]), 'BAD_DATA', [
        'prompts[1][1]',
        'a token id in [0, 7)',
        'received 7',
      ]);
      const { logProbs, state } = decoder.start(SOURCES.map(() => [BEGIN]));
      expectRecurError(() => decoder.step([1, 2, 8], state), 'BAD_DATA', ['tokens[2]', 'received 8']);
      expectRecurError(() => decoder.step([1, 2], state), 'BAD_DATA', ['tokens', 'an array of 3 token ids']);
      expectRecurError(() => decoder.selectRows(state, [0, 3]), 'BAD_DATA', ['rows[1]', 'in [0, 3)', 'received 3']);
      decoder.disposeState(state);
      tf.dispose([params, logProbs] as unknown as tf.TensorContainer);
    });
  });

  describe('seq2seqTrainable', () => {
    it('should refuse targets unlike the decoder inputs and a target mask of the wrong shape', () => {
      const params = model.init(new Rng(3));
      const trainable = seq2seqTrainable(model, params);
      tf.dispose(params as unknown as tf.TensorContainer);
      const { source, sourceLengths } = paddedSources();
      const batch: Seq2SeqBatch = {
        source,
        sourceLengths,
        targetIn: tf.tensor2d(TARGET_IN, [3, 5], 'int32'),
        targetOut: tf.zeros([3, 4], 'int32') as tf.Tensor2D,
        targetMask: tf.ones([3, 4]) as tf.Tensor2D,
      };
      const context = { training: true, rng: new Rng(1) };
      expectRecurError(() => trainable.loss(batch, context), 'SHAPE_MISMATCH', [
        'batch.targetOut',
        'an int32 tensor of shape [3, 5]',
        '[3, 4]',
      ]);
      const targetOut = tf.tensor2d(TARGET_IN, [3, 5], 'int32');
      expectRecurError(() => trainable.loss({ ...batch, targetOut }, context), 'SHAPE_MISMATCH', [
        'batch.targetMask',
        'a tensor of shape [3, 5]',
        '[3, 4]',
      ]);
      expectRecurError(() => seq2seqTrainable(model, params, { samplingProbability: -0.1 }), 'BAD_CONFIG', [
        'options.samplingProbability',
        'received -0.1',
      ]);
      tf.dispose([batch, targetOut] as unknown as tf.TensorContainer);
      trainable.dispose();
    });
  });
});
