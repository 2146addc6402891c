import { assertOneOf, assertPositiveInteger, badArgument } from '@recur/core';
import type { Int32Array2D } from './arrays.js';
import { assertInt32Sequence, isArrayLike, isInt32, optionsRecord } from './internal/check.js';

export type PadSide = 'pre' | 'post';
const SIDES: readonly PadSide[] = ['pre', 'post'];

export interface PadOptions {
  /** Row length. Default: the longest sequence. */
  readonly maxLength?: number;
  /** Where padding goes. Default 'pre', as Keras `pad_sequences`. */
  readonly padding?: PadSide;
  /** Which end of a longer sequence is cut. Default 'pre' (keep the last `maxLength`), as Keras. */
  readonly truncating?: PadSide;
  /** Pad value. Default 0, the pad id of every Recur tokenizer. */
  readonly value?: number;
}

export interface PaddedSequences extends Int32Array2D {
  /** 1 where `data` holds a sequence element, 0 where it holds padding; same shape as `data`. */
  readonly mask: Uint8Array;
  /** Elements kept from each sequence (its length after truncation). */
  readonly lengths: Int32Array;
}

/**
 * Pads and truncates integer sequences into one `[n, maxLength]` array, as Keras
 * `pad_sequences` does, and says exactly which entries are padding: the mask comes from
 * the lengths, never from the pad value, so a real 0 token is not mistaken for padding.
 */
export function padSequences(sequences: readonly ArrayLike<number>[], options?: PadOptions): PaddedSequences {
  const o = optionsRecord(options, 'options');
  const padding = o.padding ?? 'pre';
  const truncating = o.truncating ?? 'pre';
  const value = o.value ?? 0;
  assertOneOf(padding, SIDES, 'options.padding');
  assertOneOf(truncating, SIDES, 'options.truncating');
  if (!isInt32(value)) throw badArgument('BAD_CONFIG', 'options.value', 'a 32-bit integer', value);
  if (!Array.isArray(sequences)) throw badArgument('BAD_DATA', 'sequences', 'an array of integer sequences', sequences);
  sequences.forEach((s, i) => {
    if (!isArrayLike(s)) throw badArgument('BAD_DATA', `sequences[${i}]`, 'an array of integers', s);
    assertInt32Sequence(s, `sequences[${i}]`);
  });
  if (o.maxLength !== undefined) assertPositiveInteger(o.maxLength, 'options.maxLength');
  const maxLength = o.maxLength ?? sequences.reduce((m, s) => Math.max(m, s.length), 0);

  const n = sequences.length;
  const data = new Int32Array(n * maxLength).fill(value);
  const mask = new Uint8Array(n * maxLength);
  const lengths = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const s = sequences[i] as ArrayLike<number>;
    const kept = Math.min(s.length, maxLength);
    const from = truncating === 'pre' ? s.length - kept : 0;
    const to = i * maxLength + (padding === 'pre' ? maxLength - kept : 0);
    for (let t = 0; t < kept; t++) {
      data[to + t] = s[from + t] as number;
      mask[to + t] = 1;
    }
    lengths[i] = kept;
  }
  return { data, shape: [n, maxLength], mask, lengths };
}

/**
 * The `[n, maxLength]` mask of rows holding `lengths[i]` elements padded on `padding`'s
 * side: 1 for an element, 0 for padding.
 */
export function maskFromLengths(lengths: ArrayLike<number>, maxLength: number, padding: PadSide = 'pre'): Uint8Array {
  assertPositiveInteger(maxLength, 'maxLength');
  assertOneOf(padding, SIDES, 'padding');
  assertInt32Sequence(lengths, 'lengths');
  const mask = new Uint8Array(lengths.length * maxLength);
  for (let i = 0; i < lengths.length; i++) {
    const len = lengths[i] as number;
    if (len < 0 || len > maxLength)
      throw badArgument('BAD_DATA', `lengths[${i}]`, `an integer in [0, ${maxLength}]`, len);
    const start = i * maxLength + (padding === 'pre' ? maxLength - len : 0);
    mask.fill(1, start, start + len);
  }
  return mask;
}
