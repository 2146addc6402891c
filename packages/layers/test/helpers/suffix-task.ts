/**
 * A synthetic tagging task: words are strings over the letters a–h (character ids 1–8),
 * and a word's tag is the class of its last letter (a–c → 0, d–f → 1, g–h → 2), except
 * after a word tagged 2, where the tag is 3 whatever the word. So a tagger needs the
 * characters to tag words it never saw, and the context for the exception.
 */
import type { Rng } from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';
import type { TaggerBatch } from '../../src/index.js';

export const LETTERS = 8;
export const CHAR_VOCAB = LETTERS + 1;
export const NUM_TAGS = 4;
/** Word id 1 stands for every word outside the training vocabulary. */
export const UNKNOWN = 1;
export const MAX_WORD = 5;

export function randomWord(rng: Rng): number[] {
  const length = 2 + rng.int(MAX_WORD - 1);
  return Array.from({ length }, () => 1 + rng.int(LETTERS));
}

const suffixClass = (word: readonly number[]) => {
  const last = (word[word.length - 1] as number) - 1;
  return last < 3 ? 0 : last < 6 ? 1 : 2;
};

export function tagsOf(sentence: readonly (readonly number[])[]): number[] {
  const tags: number[] = [];
  sentence.forEach((word, i) => {
    tags.push(i > 0 && tags[i - 1] === 2 ? 3 : suffixClass(word));
  });
  return tags;
}

/** Sentences of 2–6 words drawn from `words`. */
export function sentences(rng: Rng, words: readonly (readonly number[])[], count: number): number[][][] {
  return Array.from({ length: count }, () =>
    Array.from({ length: 2 + rng.int(5) }, () => [...(words[rng.int(words.length)] as number[])]),
  );
}

/**
 * A padded batch; `wordIds` maps a word to its id (UNKNOWN when absent). With `dropWords`,
 * each known word becomes UNKNOWN with probability `rate` (Lample et al. 2016, sec. 4:
 * so the UNKNOWN embedding is trained). The caller owns its tensors.
 */
export function taggerBatch(
  sentenceList: readonly (readonly number[][])[],
  wordIds: Map<string, number>,
  dropWords?: { rng: Rng; rate: number },
): TaggerBatch {
  const time = Math.max(...sentenceList.map((s) => s.length));
  const batch = sentenceList.length;
  const words = new Int32Array(batch * time);
  const chars = new Int32Array(batch * time * MAX_WORD);
  const tags = new Int32Array(batch * time);
  sentenceList.forEach((sentence, b) => {
    const gold = tagsOf(sentence);
    sentence.forEach((word, t) => {
      const dropped = dropWords !== undefined && dropWords.rng.next() < dropWords.rate;
      words[b * time + t] = dropped ? UNKNOWN : (wordIds.get(word.join(',')) ?? UNKNOWN);
      word.forEach((c, i) => {
        chars[(b * time + t) * MAX_WORD + i] = c;
      });
      tags[b * time + t] = gold[t] as number;
    });
  });
  return {
    words: tf.tensor2d(words, [batch, time], 'int32'),
    chars: tf.tensor3d(chars, [batch, time, MAX_WORD], 'int32'),
    tags: tf.tensor2d(tags, [batch, time], 'int32'),
  };
}
