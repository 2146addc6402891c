import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { assertPositiveInteger, badArgument, RecurError } from '@recur/core';
import { dataError, optionsRecord } from '../internal/check.js';
import { checkEncoding, decodeStrict, StrictTextDecoder, type TextEncodingName } from '../internal/strict-text.js';

const EMPTY = 'expected non-empty text, the file is empty';

export interface TextReadOptions {
  /**
   * The file's text encoding (a WHATWG label). Default `'utf-8'`, read strictly: a
   * malformed byte, or a NUL byte (binary data), is a `RecurError` naming its offset
   * rather than a silent U+FFFD.
   */
  readonly encoding?: TextEncodingName;
}

/**
 * A file's text, decoded strictly, in chunks of about `chunkBytes` bytes (a character
 * split across two reads is decoded whole). Shared by the text and CSV readers, which
 * word a read error (a missing file) each in their own terms.
 */
export async function* decodedChunks(path: string, encoding: string, chunkBytes: number): AsyncGenerator<string> {
  const decoder = new StrictTextDecoder(encoding, path);
  const file = createReadStream(path, { highWaterMark: chunkBytes });
  try {
    for await (const chunk of file) {
      const text = decoder.decode(chunk as Buffer);
      if (text.length > 0) yield text;
    }
  } finally {
    file.destroy();
  }
  const rest = decoder.end();
  if (rest.length > 0) yield rest;
}

/**
 * Streams a text file in chunks of about `chunkBytes` bytes. An empty file, or text
 * that is not valid in its encoding, throws a `RecurError` naming the file.
 */
export function readTextChunks(
  path: string,
  options?: TextReadOptions & { readonly chunkBytes?: number },
): AsyncIterableIterator<string> {
  checkPath(path);
  const o = optionsRecord(options, 'options');
  const chunkBytes = o.chunkBytes ?? 1 << 20;
  assertPositiveInteger(chunkBytes, 'options.chunkBytes');
  const encoding = checkEncoding(o.encoding);
  return (async function* () {
    let any = false;
    try {
      for await (const chunk of decodedChunks(path, encoding, chunkBytes)) {
        any = true;
        yield chunk;
      }
    } catch (error) {
      throw readError(error, path);
    }
    if (!any) throw dataError(path, EMPTY);
  })();
}

/**
 * Streams a text file as batches of `batchSize` lines (line ends removed, `\r\n` too).
 * An empty file, or text that is not valid in its encoding, throws a `RecurError` naming it.
 */
export function readLines(
  path: string,
  options?: TextReadOptions & { readonly batchSize?: number },
): AsyncIterableIterator<string[]> {
  checkPath(path);
  const o = optionsRecord(options, 'options');
  const batchSize = o.batchSize ?? 1024;
  assertPositiveInteger(batchSize, 'options.batchSize');
  const encoding = checkEncoding(o.encoding);
  return (async function* () {
    const input = Readable.from(decodedChunks(path, encoding, 1 << 16));
    const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
    // readline swallows its input's errors: keep the first to throw it.
    let failure: unknown;
    input.on('error', (error) => {
      failure ??= error;
      lines.close();
    });
    let batch: string[] = [];
    let any = false;
    try {
      for await (const line of lines) {
        any = true;
        batch.push(line);
        if (batch.length === batchSize) {
          yield batch;
          batch = [];
        }
      }
    } catch (error) {
      failure ??= error;
    } finally {
      lines.close();
      input.destroy();
    }
    if (failure !== undefined) throw readError(failure, path);
    if (!any) throw dataError(path, EMPTY);
    if (batch.length > 0) yield batch;
  })();
}

/** A whole text file; an empty one, or one not valid in its encoding, throws a `RecurError` naming it. */
export async function readText(path: string, options?: TextReadOptions): Promise<string> {
  checkPath(path);
  const encoding = checkEncoding(optionsRecord(options, 'options').encoding);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw readError(error, path);
  }
  const text = decodeStrict(bytes, encoding, path);
  if (text.length === 0) throw dataError(path, EMPTY);
  return text;
}

function checkPath(path: unknown): asserts path is string {
  if (typeof path !== 'string' || path === '') throw badArgument('BAD_CONFIG', 'path', 'a file path', path);
}

function readError(error: unknown, path: string) {
  if (error instanceof RecurError) return error;
  return dataError(path, `cannot read file: ${error instanceof Error ? error.message : String(error)}`, error);
}
