import { Rng } from '@recur/core';
import { checkLeaks, describeBackends, expectClose } from '@recur/test-utils';
import { trainStep } from '@recur/train';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { crf, type TaggerConfig, type TaggerParams, tagger, taggerTrainable } from '../src/index.js';
import { expectRecurError } from './helpers/errors.js';
import { CHAR_VOCAB, NUM_TAGS, randomWord, sentences, taggerBatch, tagsOf } from './helpers/suffix-task.js';

const SMALL: TaggerConfig = {
  wordVocabSize: 42,
  charVocabSize: CHAR_VOCAB,
  numTags: NUM_TAGS,
  wordDim: 8,
  charDim: 8,
  charUnits: 12,
  units: 16,
  dropout: 0,
};

const vocabulary = (rng: Rng, n: number) => {
  const seen = new Map<string, number[]>();
  while (seen.size < n) {
    const w = randomWord(rng);
    seen.set(w.join(','), w);
  }
  return [...seen.values()];
};
const rng0 = new Rng(11);
const TRAIN_WORDS = vocabulary(rng0, 40);
const known = new Set(TRAIN_WORDS.map((w) => w.join(',')));
const UNSEEN_WORDS = vocabulary(rng0, 80)
  .filter((w) => !known.has(w.join(',')))
  .slice(0, 40);
const WORD_IDS = new Map(TRAIN_WORDS.map((w, i) => [w.join(','), i + 2]));

const argmax = (row: number[]) => row.indexOf(Math.max(...row));
const disposeParams = (p: TaggerParams) => tf.dispose(p as unknown as tf.TensorContainer);

describeBackends('tagger', () => {
  checkLeaks();

  describe('apply', () => {
    it('should give [batch, time, numTags] logits and the word mask, padding changing no real step', () => {
      const model = tagger(SMALL);
      const params = model.init(new Rng(1));
      const list = sentences(new Rng(2), TRAIN_WORDS, 3);
      const batch = taggerBatch(list, WORD_IDS);
      const out = model.apply(params, batch);
      const time = Math.max(...list.map((s) => s.length));
      expect(out.logits.shape).toEqual([3, time, NUM_TAGS]);
      expect(out.mask.arraySync()).toEqual(
        list.map((s) => Array.from({ length: time }, (_, t) => (t < s.length ? 1 : 0))),
      );
      // The first sentence alone (no padding) gives the same scores at its words.
      const alone = taggerBatch([list[0] as number[][]], WORD_IDS);
      const single = model.apply(params, alone);
      const n = (list[0] as number[][]).length;
      expectClose(
        (single.logits.arraySync() as number[][][])[0]?.slice(0, n).flat() as number[],
        (out.logits.arraySync() as number[][][])[0]?.slice(0, n).flat() as number[],
        { rtol: 1e-5, atol: 1e-6 },
      );
      tf.dispose([batch, out, alone, single] as unknown as tf.TensorContainer);
      disposeParams(params);
    });

    it("should read a word's characters: the same word id with other letters scores differently", () => {
      const model = tagger(SMALL);
      const params = model.init(new Rng(3));
      const a = taggerBatch([[[1, 2, 3]]], new Map());
      const b = taggerBatch([[[1, 2, 7]]], new Map());
      const [la, lb] = [model.apply(params, a), model.apply(params, b)];
      expect(la.logits.arraySync()).not.toEqual(lb.logits.arraySync());
      tf.dispose([a, b, la, lb] as unknown as tf.TensorContainer);
      disposeParams(params);
    });
  });

  describe('predict', () => {
    it.each(['softmax', 'crf'] as const)(
      'should give per-step argmax or Viterbi tags at the real words: %s',
      (output) => {
        const model = tagger({ ...SMALL, output });
        const params = model.init(new Rng(4));
        const list = sentences(new Rng(5), TRAIN_WORDS, 4);
        const batch = taggerBatch(list, WORD_IDS);
        const predicted = model.predict(params, batch);
        const { logits, mask } = model.apply(params, batch);
        const expected =
          output === 'crf'
            ? crf({ numTags: NUM_TAGS })
                .viterbi(params.crf as NonNullable<TaggerParams['crf']>, logits, { mask })
                .map((p) => p.tags)
            : (logits.arraySync() as number[][][]).map((row, b) =>
                row.slice(0, (list[b] as number[][]).length).map(argmax),
              );
        expect(predicted).toEqual(expected);
        expect(predicted.map((p) => p.length)).toEqual(list.map((s) => s.length));
        tf.dispose([batch, logits, mask] as unknown as tf.TensorContainer);
        disposeParams(params);
      },
    );
  });

  describe('taggerTrainable', () => {
    it.each(['softmax', 'crf'] as const)('should give the loss per real word of the output layer: %s', (output) => {
      const model = tagger({ ...SMALL, output });
      const init = model.init(new Rng(6));
      const trainable = taggerTrainable(model, init);
      disposeParams(init);
      const list = sentences(new Rng(7), TRAIN_WORDS, 3);
      const batch = taggerBatch(list, WORD_IDS);
      const { loss, metrics } = trainable.loss(batch, { training: false, rng: new Rng(0) });
      const { logits, mask } = model.apply(trainable.params, batch);
      const words = list.reduce((n, s) => n + s.length, 0);
      let expected: number;
      if (output === 'crf') {
        const nll = crf({ numTags: NUM_TAGS }).nll(
          trainable.params.crf as NonNullable<TaggerParams['crf']>,
          logits,
          batch.tags,
          {
            mask,
          },
        );
        expected = (nll.dataSync() as Float32Array).reduce((a, v) => a + v, 0) / words;
        nll.dispose();
      } else {
        const z = logits.arraySync() as number[][][];
        expected =
          list.reduce(
            (sum, s, b) =>
              sum +
              tagsOf(s).reduce((acc, tag, t) => {
                const row = z[b]?.[t] as number[];
                const top = Math.max(...row);
                return acc + top + Math.log(row.reduce((a, x) => a + Math.exp(x - top), 0)) - (row[tag] as number);
              }, 0),
            0,
          ) / words;
      }
      expectClose(loss.dataSync()[0] as number, expected, { rtol: 1e-5 });
      const accuracy = metrics.accuracy.dataSync()[0] as number;
      expect(accuracy).toBeGreaterThanOrEqual(0);
      expect(accuracy).toBeLessThanOrEqual(1);
      tf.dispose([batch, loss, metrics, logits, mask] as unknown as tf.TensorContainer);
      trainable.dispose();
    });
  });

  describe('end to end', () => {
    it.each(['softmax', 'crf'] as const)(
      'should learn the suffix-and-context task to ≥ 95% accuracy on sentences of unseen words: %s',
      (output) => {
        const model = tagger({ ...SMALL, output });
        const init = model.init(new Rng(8));
        const trainable = taggerTrainable(model, init);
        disposeParams(init);
        const optimizer = tf.train.adam(0.03);
        const data = new Rng(9);
        for (let step = 0; step < 100; step++) {
          const batch = taggerBatch(sentences(data, TRAIN_WORDS, 16), WORD_IDS, { rng: data, rate: 0.3 });
          trainStep(trainable, batch, { training: true, rng: new Rng(step), state: undefined }, optimizer, {
            nonFinite: 'stop',
            step,
          });
          tf.dispose(batch as unknown as tf.TensorContainer);
        }
        const test = sentences(new Rng(10), UNSEEN_WORDS, 64);
        const batch = taggerBatch(test, WORD_IDS);
        const predicted = model.predict(trainable.params, batch);
        let hits = 0;
        let total = 0;
        test.forEach((s, b) => {
          tagsOf(s).forEach((tag, t) => {
            hits += predicted[b]?.[t] === tag ? 1 : 0;
            total++;
          });
        });
        tf.dispose(batch as unknown as tf.TensorContainer);
        optimizer.dispose();
        trainable.dispose();
        expect(hits / total).toBeGreaterThanOrEqual(0.95);
      },
      60_000,
    );
  });

  describe('bad input', () => {
    const model = tagger(SMALL);

    it('should name words, chars or options that do not fit', () => {
      const params = model.init(new Rng(1));
      const words = tf.tensor2d([[2, 3]], undefined, 'int32');
      const big = tf.tensor2d([[2, 42]], undefined, 'int32');
      const chars = tf.zeros([1, 3, 4], 'int32') as tf.Tensor3D;
      const good = tf.ones([1, 2, 4], 'int32') as tf.Tensor3D;
      expectRecurError(() => model.apply(params, { words, chars }), 'SHAPE_MISMATCH', [
        'input.chars',
        '[1, 2, chars]',
        '[1, 3, 4]',
      ]);
      expectRecurError(() => model.apply(params, { words: big, chars: good }), 'BAD_DATA', [
        'input.words[1]',
        '[0, 42)',
      ]);
      expectRecurError(() => model.predict(params, words as never), 'SHAPE_MISMATCH', ['input', '{ words, chars }']);
      expectRecurError(
        () => tagger({ ...SMALL, dropout: 0.5 }).apply(params, { words, chars: good }, { training: true }),
        'BAD_CONFIG',
        ['options.rng'],
      );
      tf.dispose([words, big, chars, good] as unknown as tf.TensorContainer);
      disposeParams(params);
    });

    it('should refuse a bad config', () => {
      expectRecurError(() => tagger({ ...SMALL, output: 'hmm' as never }), 'BAD_CONFIG', [
        'tagger config.output',
        "'crf'",
      ]);
      expectRecurError(() => tagger({ ...SMALL, numTags: 1 }), 'BAD_CONFIG', ['tagger config.numTags', '≥ 2']);
      expectRecurError(() => tagger({ ...SMALL, units: 0 }), 'BAD_CONFIG', ['tagger config.units']);
      expectRecurError(() => tagger({ ...SMALL, width: 3 } as never), 'BAD_CONFIG', ['tagger config.width']);
    });
  });
});
