import { createReadStream } from 'node:fs';
import { mobyDick, stateOfTheUnion, Tokenizer } from '@recur/datasets';
import { CliError } from '../errors.js';
import type { DataSource } from '../settings.js';
import { checkFile } from './files.js';

/** The share of the text held out at its end: the last 10 % test, the 10 % before it validation. */
const HELD_OUT = { validation: 0.1, test: 0.1 } as const;

/**
 * A text as char-lm reads it: token ids, one byte each (the vocabulary holds at most 256
 * symbols), never the whole text as a string or per-character objects.
 */
export interface CharTexts {
  readonly tokenizer: Tokenizer;
  readonly train: Uint8Array;
  readonly validation: Uint8Array;
  readonly test: Uint8Array;
  /** The first characters of the test part: `generate`'s default prompt. */
  readonly testHead: string;
}

/** UTF-16 code units of the test part kept as text, for a default prompt. */
const HEAD = 8;

const firstCharacters = (text: string) => text.slice(0, HEAD);

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

async function fileTexts(path: string, saved: Tokenizer | undefined, forInference: boolean): Promise<CharTexts> {
  await checkFile(path);
  let total = 0;
  for await (const chunk of decodedChunks(path)) total += codePoints(chunk);
  if (total < 200) throw new CliError(`${path} has ${total} characters: give char-lm at least 200`);
  // As splitInTime rounds, so the parts are the ones a whole-string split would give.
  const trainEnd = Math.round(total * (1 - HELD_OUT.validation - HELD_OUT.test));
  const validationEnd = Math.round(total * (1 - HELD_OUT.test));
  const tokenizer =
    saved ??
    (await Tokenizer.fitAsync(
      (async function* () {
        for await (const piece of pieces(path, [trainEnd, validationEnd])) {
          if (piece.part !== 0) break;
          yield piece.text;
        }
      })(),
      { level: 'char', maxSize: MAX_SYMBOLS },
    ));
  // Each part has as many ids as characters: char-level encoding is one id per code point.
  const parts = [
    new Uint8Array(forInference ? 0 : trainEnd),
    new Uint8Array(validationEnd - trainEnd),
    new Uint8Array(total - validationEnd),
  ] as const;
  const at = [0, 0, 0];
  let testHead = '';
  for await (const { part, text } of pieces(path, [trainEnd, validationEnd])) {
    if (part === 0 && forInference) continue;
    if (part === 2 && testHead.length < 2 * HEAD) testHead += text.slice(0, 2 * HEAD);
    const ids = tokenizer.encode(text);
    parts[part].set(ids, at[part]);
    at[part] = (at[part] as number) + ids.length;
  }
  return { tokenizer, train: parts[0], validation: parts[1], test: parts[2], testHead: firstCharacters(testHead) };
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
  const ids = (text: string) => Uint8Array.from(tokenizer.encode(text));
  return {
    tokenizer,
    train: forInference ? new Uint8Array(0) : ids(texts.train),
    validation: ids(texts.validation),
    test: ids(texts.test),
    testHead: firstCharacters(texts.test),
  };
}
