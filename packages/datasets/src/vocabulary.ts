import { assertPositiveInteger, badArgument, describeValue } from '@recur/core';
import { dataError, optionsRecord } from './internal/check.js';

/** The four reserved tokens. Their ids are fixed: pad 0, unknown 1, begin 2, end 3. */
export interface SpecialTokens {
  readonly pad: string;
  readonly unknown: string;
  readonly begin: string;
  readonly end: string;
}

export const DEFAULT_SPECIAL_TOKENS: SpecialTokens = { pad: '<pad>', unknown: '<unk>', begin: '<bos>', end: '<eos>' };

/**
 * Pad is id 0 so that zero-filled padding (Keras `pad_sequences`, `mask_zero`) and the pad
 * token agree.
 */
export const SPECIAL_IDS = { pad: 0, unknown: 1, begin: 2, end: 3 } as const;

const SPECIAL_KEYS = ['pad', 'unknown', 'begin', 'end'] as const;

export interface VocabularyOptions {
  /** Keep tokens seen at least this often. Default 1. */
  readonly minFrequency?: number;
  /** Largest vocabulary, the four special tokens included. Default: no limit. */
  readonly maxSize?: number;
  /** Strings shown for the special tokens. Default {@link DEFAULT_SPECIAL_TOKENS}. */
  readonly specialTokens?: Partial<SpecialTokens>;
}

/** An immutable token ↔ id map whose first four ids are the special tokens. */
export class Vocabulary {
  readonly specialTokens: SpecialTokens;
  readonly tokens: readonly string[];
  private readonly ids: ReadonlyMap<string, number>;

  private constructor(specialTokens: SpecialTokens, tokens: readonly string[]) {
    this.specialTokens = specialTokens;
    this.tokens = tokens;
    this.ids = new Map(tokens.map((t, i) => [t, i]));
  }

  /**
   * Builds a vocabulary from token counts: tokens seen at least `minFrequency` times, most
   * frequent first, ties broken by code-unit order so the result never depends on the
   * order the counts were gathered in; cut to `maxSize` entries in all.
   */
  static fromCounts(counts: ReadonlyMap<string, number>, options?: VocabularyOptions): Vocabulary {
    if (!(counts instanceof Map)) throw badArgument('BAD_CONFIG', 'counts', 'a Map from token to count', counts);
    const { minFrequency, maxSize, specialTokens: specials } = resolveVocabularyOptions(options);
    const reserved = new Set(SPECIAL_KEYS.map((k) => specials[k]));
    const kept = [...counts].filter(([token, count]) => count >= minFrequency && !reserved.has(token));
    kept.sort(([a, ca], [b, cb]) => cb - ca || (a < b ? -1 : a > b ? 1 : 0));
    const room = maxSize - SPECIAL_KEYS.length;
    const tokens = [...SPECIAL_KEYS.map((k) => specials[k]), ...kept.slice(0, room).map(([t]) => t)];
    return new Vocabulary(specials, tokens);
  }

  /**
   * Rebuilds a vocabulary from its token list (as saved), checking that the first four
   * entries are the special tokens and that no token repeats. `where` names the source
   * (a file path) in error messages.
   */
  static fromTokens(tokens: unknown, specialTokens: SpecialTokens, where: string): Vocabulary {
    if (!Array.isArray(tokens))
      throw dataError(where, `tokens: expected an array of strings, received ${describeValue(tokens)}`);
    const seen = new Set<string>();
    tokens.forEach((t, i) => {
      if (typeof t !== 'string')
        throw dataError(where, `tokens[${i}]: expected a string, received ${describeValue(t)}`);
      if (seen.has(t))
        throw dataError(where, `tokens[${i}]: expected each token once, received ${describeValue(t)} again`);
      seen.add(t);
    });
    SPECIAL_KEYS.forEach((k, i) => {
      if (tokens[i] !== specialTokens[k]) {
        throw dataError(
          where,
          `tokens[${i}]: expected the ${k} token ${describeValue(specialTokens[k])}, received ${describeValue(tokens[i])}`,
        );
      }
    });
    return new Vocabulary(specialTokens, tokens as string[]);
  }

  get size(): number {
    return this.tokens.length;
  }

  /** The token's id, or the unknown id when it is not in the vocabulary. */
  id(token: string): number {
    return this.ids.get(token) ?? SPECIAL_IDS.unknown;
  }

  has(token: string): boolean {
    return this.ids.has(token);
  }

  token(id: number): string {
    const token = Number.isInteger(id) ? this.tokens[id] : undefined;
    if (token === undefined) throw badArgument('BAD_DATA', 'id', `an integer in [0, ${this.size})`, id);
    return token;
  }

  isSpecial(id: number): boolean {
    return id >= 0 && id < SPECIAL_KEYS.length;
  }
}

/** Checks `options` and fills in the defaults. */
export function resolveVocabularyOptions(options: VocabularyOptions | undefined): {
  minFrequency: number;
  maxSize: number;
  specialTokens: SpecialTokens;
} {
  const o = optionsRecord(options, 'options');
  const minFrequency = o.minFrequency ?? 1;
  assertPositiveInteger(minFrequency, 'options.minFrequency');
  const maxSize = o.maxSize ?? Number.POSITIVE_INFINITY;
  if (maxSize !== Number.POSITIVE_INFINITY) {
    assertPositiveInteger(maxSize, 'options.maxSize');
    if (maxSize < SPECIAL_KEYS.length) {
      throw badArgument('BAD_CONFIG', 'options.maxSize', 'at least 4 (the special tokens)', maxSize);
    }
  }
  return { minFrequency, maxSize, specialTokens: resolveSpecialTokens(o.specialTokens) };
}

/** Fills in defaults and checks the special tokens are four distinct non-empty strings. */
export function resolveSpecialTokens(given: Partial<SpecialTokens> | undefined, where?: string): SpecialTokens {
  const source = given ?? {};
  if (typeof source !== 'object' || source === null) {
    const message = `specialTokens: expected an object, received ${describeValue(given)}`;
    throw where === undefined
      ? badArgument('BAD_CONFIG', 'options.specialTokens', 'an object', given)
      : dataError(where, message);
  }
  const resolved = { ...DEFAULT_SPECIAL_TOKENS };
  for (const k of SPECIAL_KEYS) {
    const v = source[k] ?? DEFAULT_SPECIAL_TOKENS[k];
    if (typeof v !== 'string' || v.length === 0) {
      if (where !== undefined)
        throw dataError(where, `specialTokens.${k}: expected a non-empty string, received ${describeValue(v)}`);
      throw badArgument('BAD_CONFIG', `options.specialTokens.${k}`, 'a non-empty string', v);
    }
    resolved[k] = v;
  }
  if (new Set(SPECIAL_KEYS.map((k) => resolved[k])).size !== SPECIAL_KEYS.length) {
    const message = `specialTokens: expected four distinct strings, received ${describeValue(resolved)}`;
    throw where === undefined
      ? badArgument('BAD_CONFIG', 'options.specialTokens', 'four distinct strings', resolved)
      : dataError(where, message);
  }
  return resolved;
}
