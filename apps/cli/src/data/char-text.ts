import { createReadStream } from 'node:fs';
import { mobyDick, stateOfTheUnion, Tokenizer } from '@recur/datasets';
import { CliError } from '../errors.js';
import type { DataSource } from '../settings.js';
import { checkFile } from './files.js';

/** The share of the text held out at its end: the last 10 % test, the 10 % before it validation. */
const HELD_OUT = { validation: 0.1, test: 0.1 } as const;

/**
 * A text as char-lm trains on it: the training part only as token ids, one byte each
 * (the vocabulary holds at most 256 symbols), never as a string or per-character
 * objects; the held-out parts as strings (a fifth of the text).
 */
export interface CharTexts {
  readonly tokenizer: Tokenizer;
  readonly train: Uint8Array;
  readonly validation: string;
  readonly test: string;
}

/** At most this many symbols, so that an id fits a byte. */
export const MAX_SYMBOLS = 256;

async function* decodedChunks(path: string): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    yield decoder.decode(chunk, { stream: true });
  }
  yield decoder.decode();
}

/** Code points in `s` (a surrogate pair is one character, as `[...s]` counts). */
function codePoints(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/** The UTF-16 index of code point `k` of `s`. */
function indexOfCodePoint(s: string, k: number): number {
  let i = 0;
  for (let seen = 0; seen < k && i < s.length; seen++) {
    const c = s.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff && i + 1 < s.length ? 2 : 1;
  }
  return i;
}

/**
 * The file's characters in three consecutive parts, `[0, trainEnd)` and so on, streamed
 * chunk by chunk: `part` says which part each piece belongs to.
 */
async function* pieces(
  path: string,
  ends: readonly [number, number],
): AsyncGenerator<{ part: 0 | 1 | 2; text: string }> {
  let at = 0;
  for await (let chunk of decodedChunks(path)) {
    while (chunk.length > 0) {
      const part = at < ends[0] ? 0 : at < ends[1] ? 1 : 2;
      const n = codePoints(chunk);
      const room = part === 2 ? n : (ends[part] as number) - at;
      if (n <= room) {
        yield { part, text: chunk };
        at += n;
        break;
      }
      const cut = indexOfCodePoint(chunk, room);
      yield { part, text: chunk.slice(0, cut) };
      at += room;
      chunk = chunk.slice(cut);
    }
  }
}

/** Encodes the pieces of one part into `ids`, chunk by chunk. */
function encodeInto(ids: Uint8Array, at: number, tokenizer: Tokenizer, text: string): number {
  const encoded = tokenizer.encode(text);
  ids.set(encoded, at);
  return at + encoded.length;
}

async function fileTexts(path: string, saved: Tokenizer | undefined, forInference: boolean): Promise<CharTexts> {
  await checkFile(path);
  let total = 0;
  for await (const chunk of decodedChunks(path)) total += codePoints(chunk);
  if (total < 200) throw new CliError(`${path} has ${total} characters: give char-lm at least 200`);
  // As splitInTime rounds, so the parts are the ones a whole-string split would give.
  const trainEnd = Math.round(total * (1 - HELD_OUT.validation - HELD_OUT.test));
  const validationEnd = Math.round(total * (1 - HELD_OUT.test));
  const held = { 1: [] as string[], 2: [] as string[] };
  const trainPieces = async function* () {
    for await (const piece of pieces(path, [trainEnd, validationEnd])) {
      if (piece.part === 0) yield piece.text;
      else held[piece.part].push(piece.text);
    }
  };
  let tokenizer = saved;
  if (tokenizer === undefined)
    tokenizer = await Tokenizer.fitAsync(trainPieces(), { level: 'char', maxSize: MAX_SYMBOLS });
  else for await (const _ of trainPieces());
  const train = new Uint8Array(forInference ? 0 : trainEnd);
  if (!forInference) {
    let at = 0;
    for await (const piece of pieces(path, [trainEnd, validationEnd])) {
      if (piece.part !== 0) break;
      at = encodeInto(train, at, tokenizer, piece.text);
    }
  }
  return { tokenizer, train, validation: held[1].join(''), test: held[2].join('') };
}

/**
 * char-lm's text: a packaged book or speeches, or a UTF-8 file read in a streaming pass
 * (checked, counted, split, then encoded straight to byte ids), so memory stays a small
 * multiple of the file's size. `saved` is the model file's tokenizer (resume, eval).
 */
export async function loadCharTexts(
  source: DataSource,
  saved: Tokenizer | undefined,
  forInference: boolean,
): Promise<CharTexts> {
  if (source.kind === 'file') return fileTexts(source.path, saved, forInference);
  let texts: { train: string; validation: string; test: string };
  if (source.name === 'moby-dick') texts = await mobyDick();
  else {
    const sotu = await stateOfTheUnion();
    const join = (s: readonly { text: string }[]) => s.map((x) => x.text).join('\n\n');
    texts = { train: join(sotu.train), validation: join(sotu.validation), test: join(sotu.test) };
  }
  const tokenizer = saved ?? Tokenizer.fit(texts.train, { level: 'char', maxSize: MAX_SYMBOLS });
  const train = forInference ? new Uint8Array(0) : Uint8Array.from(tokenizer.encode(texts.train));
  return { tokenizer, train, validation: texts.validation, test: texts.test };
}
