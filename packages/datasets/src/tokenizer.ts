import { assertBoolean, badArgument, describeValue } from '@recur/core';
import { assertInt32Sequence, dataError, optionsRecord } from './internal/check.js';
import { checksum } from './internal/hash.js';
import { splitText, TOKENIZER_LEVELS, type TokenizerLevel } from './split-text.js';
import {
  resolveSpecialTokens,
  resolveVocabularyOptions,
  SPECIAL_IDS,
  type SpecialTokens,
  Vocabulary,
  type VocabularyOptions,
} from './vocabulary.js';

export interface TokenizerOptions extends VocabularyOptions {
  /** `char`: one token per code point. `word`: GPT-2 style words, punctuation and spaces. */
  readonly level: TokenizerLevel;
  /** Lower-case text before splitting (then `decode` gives the lower-cased text). Default false. */
  readonly lowercase?: boolean;
}

export interface EncodeOptions {
  /** Put the begin id first. Default false. */
  readonly begin?: boolean;
  /** Put the end id last. Default false. */
  readonly end?: boolean;
}

export interface DecodeOptions {
  /** Render pad, begin and end as their strings instead of dropping them. Default false. */
  readonly keepSpecial?: boolean;
}

/** The saved form of a tokenizer; `checksum` covers every other field. */
export interface TokenizerJSON {
  readonly format: 'recur-tokenizer';
  readonly version: 1;
  readonly level: TokenizerLevel;
  readonly lowercase: boolean;
  readonly specialTokens: SpecialTokens;
  readonly tokens: readonly string[];
  readonly checksum: string;
}

const FORMAT = 'recur-tokenizer';
const VERSION = 1;

/**
 * Character or word tokenizer over a {@link Vocabulary}. Text outside the vocabulary
 * encodes to the unknown id; everything else round-trips: `decode(encode(x)) === x`.
 */
export class Tokenizer {
  readonly level: TokenizerLevel;
  readonly lowercase: boolean;
  readonly vocabulary: Vocabulary;

  private constructor(level: TokenizerLevel, lowercase: boolean, vocabulary: Vocabulary) {
    this.level = level;
    this.lowercase = lowercase;
    this.vocabulary = vocabulary;
  }

  /** Counts the tokens of `texts` and keeps a vocabulary by `options`. */
  static fit(texts: string | Iterable<string>, options: TokenizerOptions): Tokenizer {
    const { level, lowercase } = checkOptions(options);
    const counts = new Map<string, number>();
    for (const text of typeof texts === 'string' ? [texts] : checkIterable(texts))
      countInto(counts, text, level, lowercase);
    return Tokenizer.fromCountsChecked(counts, level, lowercase, options);
  }

  /**
   * {@link fit} over an async source (say, `readLines` batches of a file larger than
   * memory). Give it whole lines or documents: a word cut by a chunk boundary counts as two.
   */
  static async fitAsync(
    texts: AsyncIterable<string | readonly string[]>,
    options: TokenizerOptions,
  ): Promise<Tokenizer> {
    const { level, lowercase } = checkOptions(options);
    if (texts === null || typeof texts !== 'object' || !(Symbol.asyncIterator in texts)) {
      throw badArgument('BAD_CONFIG', 'texts', 'an async iterable of strings or string arrays', texts);
    }
    const counts = new Map<string, number>();
    for await (const item of texts) {
      for (const text of typeof item === 'string' ? [item] : item) countInto(counts, text, level, lowercase);
    }
    return Tokenizer.fromCountsChecked(counts, level, lowercase, options);
  }

  /** Rebuilds a tokenizer saved by {@link toJSON}; `where` (a file path) is named in errors. */
  static fromJSON(json: unknown, where = 'tokenizer JSON'): Tokenizer {
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      throw dataError(where, `expected a tokenizer object, received ${describeValue(json)}`);
    }
    const j = json as Partial<Record<keyof TokenizerJSON, unknown>>;
    if (j.format !== FORMAT)
      throw dataError(where, `format: expected '${FORMAT}', received ${describeValue(j.format)}`);
    if (j.version !== VERSION)
      throw dataError(where, `version: expected ${VERSION}, received ${describeValue(j.version)}`);
    if (typeof j.level !== 'string' || !(TOKENIZER_LEVELS as readonly string[]).includes(j.level)) {
      throw dataError(where, `level: expected 'char' or 'word', received ${describeValue(j.level)}`);
    }
    if (typeof j.lowercase !== 'boolean')
      throw dataError(where, `lowercase: expected a boolean, received ${describeValue(j.lowercase)}`);
    const s = j.specialTokens;
    if (typeof s !== 'object' || s === null || !(['pad', 'unknown', 'begin', 'end'] as const).every((k) => k in s)) {
      throw dataError(where, `specialTokens: expected {pad, unknown, begin, end}, received ${describeValue(s)}`);
    }
    const specials = resolveSpecialTokens(s, where);
    const vocabulary = Vocabulary.fromTokens(j.tokens, specials, where);
    const expected = checksum(canonical(j.level as TokenizerLevel, j.lowercase, specials, vocabulary.tokens));
    if (j.checksum !== expected) {
      throw dataError(
        where,
        `checksum: expected ${expected} (the file's contents), received ${describeValue(j.checksum)}`,
      );
    }
    return new Tokenizer(j.level as TokenizerLevel, j.lowercase, vocabulary);
  }

  /** The pieces `encode` maps to ids. */
  tokenize(text: string): string[] {
    if (typeof text !== 'string') throw badArgument('BAD_DATA', 'text', 'a string', text);
    return splitText(this.lowercase ? text.toLowerCase() : text, this.level);
  }

  encode(text: string, options?: EncodeOptions): Int32Array {
    const o = optionsRecord(options, 'options');
    const begin = o.begin ?? false;
    const end = o.end ?? false;
    assertBoolean(begin, 'options.begin');
    assertBoolean(end, 'options.end');
    const pieces = this.tokenize(text);
    const ids = new Int32Array(pieces.length + (begin ? 1 : 0) + (end ? 1 : 0));
    let k = 0;
    if (begin) ids[k++] = SPECIAL_IDS.begin;
    for (const piece of pieces) {
      // Text that happens to spell a special token (say '|' chosen as pad) is not that token.
      const id = this.vocabulary.id(piece);
      ids[k++] = this.vocabulary.isSpecial(id) ? SPECIAL_IDS.unknown : id;
    }
    if (end) ids[k] = SPECIAL_IDS.end;
    return ids;
  }

  /** Joins the tokens of `ids`; unknown ids render as the unknown token. */
  decode(ids: ArrayLike<number>, options?: DecodeOptions): string {
    const o = optionsRecord(options, 'options');
    const keepSpecial = o.keepSpecial ?? false;
    assertBoolean(keepSpecial, 'options.keepSpecial');
    assertInt32Sequence(ids, 'ids');
    const size = this.vocabulary.size;
    const parts: string[] = [];
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i] as number;
      if (id < 0 || id >= size) throw badArgument('BAD_DATA', `ids[${i}]`, `an id in [0, ${size})`, id);
      if (!keepSpecial && id !== SPECIAL_IDS.unknown && this.vocabulary.isSpecial(id)) continue;
      parts.push(this.vocabulary.token(id));
    }
    return parts.join('');
  }

  toJSON(): TokenizerJSON {
    const { specialTokens, tokens } = this.vocabulary;
    return {
      format: FORMAT,
      version: VERSION,
      level: this.level,
      lowercase: this.lowercase,
      specialTokens,
      tokens,
      checksum: checksum(canonical(this.level, this.lowercase, specialTokens, tokens)),
    };
  }

  private static fromCountsChecked(
    counts: Map<string, number>,
    level: TokenizerLevel,
    lowercase: boolean,
    options: TokenizerOptions,
  ): Tokenizer {
    if (counts.size === 0) throw badArgument('BAD_DATA', 'texts', 'at least one non-empty text', '');
    return new Tokenizer(level, lowercase, Vocabulary.fromCounts(counts, options));
  }
}

function checkOptions(options: TokenizerOptions): { level: TokenizerLevel; lowercase: boolean } {
  const o = optionsRecord(options, 'options');
  if (typeof o.level !== 'string' || !(TOKENIZER_LEVELS as readonly string[]).includes(o.level)) {
    throw badArgument('BAD_CONFIG', 'options.level', "'char' or 'word'", o.level);
  }
  const lowercase = o.lowercase ?? false;
  assertBoolean(lowercase, 'options.lowercase');
  resolveVocabularyOptions(options);
  return { level: o.level, lowercase };
}

function checkIterable(texts: unknown): Iterable<unknown> {
  if (texts === null || typeof texts !== 'object' || !(Symbol.iterator in texts)) {
    throw badArgument('BAD_CONFIG', 'texts', 'a string or an iterable of strings', texts);
  }
  return texts as Iterable<unknown>;
}

function countInto(counts: Map<string, number>, text: unknown, level: TokenizerLevel, lowercase: boolean): void {
  if (typeof text !== 'string') throw badArgument('BAD_DATA', 'texts', 'strings only', text);
  for (const piece of splitText(lowercase ? text.toLowerCase() : text, level)) {
    counts.set(piece, (counts.get(piece) ?? 0) + 1);
  }
}

function canonical(
  level: TokenizerLevel,
  lowercase: boolean,
  specials: SpecialTokens,
  tokens: readonly string[],
): string {
  return JSON.stringify([
    FORMAT,
    VERSION,
    level,
    lowercase,
    specials.pad,
    specials.unknown,
    specials.begin,
    specials.end,
    tokens,
  ]);
}
