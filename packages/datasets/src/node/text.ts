import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { assertPositiveInteger, badArgument } from '@recur/core';
import { dataError, optionsRecord } from '../internal/check.js';

const EMPTY = 'expected non-empty text, the file is empty';

/**
 * Streams a UTF-8 text file in chunks of about `chunkBytes` bytes (a character split
 * across two reads is decoded whole). An empty file throws a `RecurError` naming it.
 */
export function readTextChunks(
  path: string,
  options?: { readonly chunkBytes?: number },
): AsyncIterableIterator<string> {
  checkPath(path);
  const chunkBytes = optionsRecord(options, 'options').chunkBytes ?? 1 << 20;
  assertPositiveInteger(chunkBytes, 'options.chunkBytes');
  return (async function* () {
    let any = false;
    try {
      for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: chunkBytes })) {
        if ((chunk as string).length > 0) any = true;
        yield chunk as string;
      }
    } catch (error) {
      throw readError(error, path);
    }
    if (!any) throw dataError(path, EMPTY);
  })();
}

/**
 * Streams a text file as batches of `batchSize` lines (line ends removed, `\r\n` too).
 * An empty file throws a `RecurError` naming it.
 */
export function readLines(path: string, options?: { readonly batchSize?: number }): AsyncIterableIterator<string[]> {
  checkPath(path);
  const batchSize = optionsRecord(options, 'options').batchSize ?? 1024;
  assertPositiveInteger(batchSize, 'options.batchSize');
  return (async function* () {
    const file = createReadStream(path, { encoding: 'utf8' });
    const lines = createInterface({ input: file, crlfDelay: Number.POSITIVE_INFINITY });
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
      throw readError(error, path);
    } finally {
      lines.close();
      file.destroy();
    }
    if (!any) throw dataError(path, EMPTY);
    if (batch.length > 0) yield batch;
  })();
}

/** A whole text file; an empty one throws a `RecurError` naming it. */
export async function readText(path: string): Promise<string> {
  checkPath(path);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw readError(error, path);
  }
  if (text.length === 0) throw dataError(path, EMPTY);
  return text;
}

function checkPath(path: unknown): asserts path is string {
  if (typeof path !== 'string' || path === '') throw badArgument('BAD_CONFIG', 'path', 'a file path', path);
}

function readError(error: unknown, path: string) {
  return dataError(path, `cannot read file: ${error instanceof Error ? error.message : String(error)}`, error);
}
