import { badArgument } from '@recur/core';
import { dataError } from './check.js';

/** Text encodings a reader accepts, by their WHATWG labels (`'latin1'` reads as windows-1252, as browsers do). */
export type TextEncodingName = 'utf-8' | 'utf8' | 'latin1' | 'windows-1252' | 'utf-16le' | (string & {});

/** Checks an `encoding` option: a label `TextDecoder` knows. Default `'utf-8'`. */
export function checkEncoding(encoding: unknown, argument = 'options.encoding'): string {
  if (encoding === undefined) return 'utf-8';
  const expected = "a text encoding such as 'utf-8' or 'latin1'";
  if (typeof encoding !== 'string') throw badArgument('BAD_CONFIG', argument, expected, encoding);
  try {
    return new TextDecoder(encoding).encoding;
  } catch {
    // TextDecoder throws a RangeError for a label it does not know.
    throw badArgument('BAD_CONFIG', argument, expected, encoding);
  }
}

/**
 * Byte offset of the first malformed UTF-8 sequence in `bytes` (RFC 3629: no overlong
 * forms, no surrogates, nothing above U+10FFFF), or -1. Only used to name the offset once
 * `TextDecoder` has refused the text, so it runs on the failing chunk alone.
 */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    let need: number;
    let low = 0x80;
    let high = 0xbf;
    if (b < 0x80) need = 0;
    else if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) low = 0xa0;
      if (b === 0xed) high = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) low = 0x90;
      if (b === 0xf4) high = 0x8f;
    } else return i;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined) return i; // cut off at the end
      if (c < (k === 1 ? low : 0x80) || c > (k === 1 ? high : 0xbf)) return i;
    }
    i += need + 1;
  }
  return -1;
}

/**
 * Decodes a byte stream strictly: malformed input is a `RecurError` naming the source and
 * the byte offset, never a silent U+FFFD; a NUL byte in UTF-8 text marks a binary file.
 * Feed chunks in order, then call `end()`. A byte-order mark is kept, as Node's own
 * `'utf8'` reading keeps it.
 */
export class StrictTextDecoder {
  private readonly decoder: TextDecoder;
  /** Bytes before `pending` that were decoded. */
  private offset = 0;
  /** The start of a character split across chunks, carried to the next one (for the offset). */
  private pending = new Uint8Array(0);

  constructor(
    readonly encoding: string,
    private readonly where: string,
  ) {
    this.decoder = new TextDecoder(encoding, { fatal: true, ignoreBOM: true });
  }

  decode(chunk: Uint8Array): string {
    const utf8 = this.encoding === 'utf-8';
    if (utf8) {
      const nul = chunk.indexOf(0);
      if (nul >= 0)
        throw this.failure(this.offset + this.pending.length + nul, 'a NUL byte: this is binary data, not text');
    }
    try {
      const text = this.decoder.decode(chunk, { stream: true });
      this.advance(chunk);
      return text;
    } catch (cause) {
      throw this.malformed(chunk, cause);
    }
  }

  end(): string {
    try {
      return this.decoder.decode();
    } catch (cause) {
      throw this.malformed(new Uint8Array(0), cause);
    }
  }

  private advance(chunk: Uint8Array): void {
    if (this.encoding !== 'utf-8') {
      this.offset += chunk.length;
      return;
    }
    const joined = concat(this.pending, chunk);
    // An unfinished sequence at the end (at most 3 bytes) waits for the next chunk.
    let cut = joined.length;
    for (let k = 1; k <= Math.min(3, joined.length); k++) {
      const b = joined[joined.length - k] as number;
      if (b < 0x80) break;
      if (b >= 0xc0) {
        if (k < (b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2)) cut = joined.length - k;
        break;
      }
    }
    this.offset += cut;
    this.pending = joined.slice(cut);
  }

  private malformed(chunk: Uint8Array, cause: unknown): Error {
    if (this.encoding !== 'utf-8') {
      return this.failure(
        this.offset,
        `not valid ${this.encoding} text (in the ${chunk.length} bytes from here)`,
        cause,
      );
    }
    const joined = concat(this.pending, chunk);
    const at = firstInvalidUtf8(joined);
    const offset = this.offset + (at >= 0 ? at : joined.length);
    const byte = joined[at >= 0 ? at : joined.length - 1];
    const shown =
      byte === undefined ? 'the text ends inside a character' : `byte 0x${byte.toString(16).padStart(2, '0')}`;
    return this.failure(offset, `not valid UTF-8 (${shown})`, cause);
  }

  private failure(offset: number, what: string, cause?: unknown): Error {
    return dataError(
      this.where,
      `${what} at byte offset ${offset}; pass the file's encoding (e.g. encoding: 'latin1') to read another encoding`,
      cause,
    );
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** A whole buffer, strictly decoded. */
export function decodeStrict(bytes: Uint8Array, encoding: string, where: string): string {
  const decoder = new StrictTextDecoder(encoding, where);
  return decoder.decode(bytes) + decoder.end();
}
