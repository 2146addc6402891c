import { assertOneOf } from '@recur/core';

export type TokenizerLevel = 'char' | 'word';
export const TOKENIZER_LEVELS: readonly TokenizerLevel[] = ['char', 'word'];

/**
 * GPT-2's pre-tokenisation pattern (Radford et al. 2019, `encoder.py`): a word keeps the
 * single space before it (" world"), punctuation runs and whitespace runs are tokens of
 * their own. Every character falls in some alternative, so joining the pieces gives back
 * the text exactly; that is what lets `decode(encode(text)) === text` hold at word level.
 */
const WORD_PATTERN = /'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/**
 * Cuts text into the pieces a tokenizer of `level` counts and encodes: Unicode code points
 * for `char` (a surrogate pair stays one token), GPT-2 style pieces for `word`.
 */
export function splitText(text: string, level: TokenizerLevel): string[] {
  assertOneOf(level, TOKENIZER_LEVELS, 'level');
  return level === 'char' ? Array.from(text) : (text.match(WORD_PATTERN) ?? []);
}
