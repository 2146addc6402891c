import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecurError } from '@recur/core';
import { parseCsv, tableToSeries } from '@recur/datasets';
import {
  loadTokenizer,
  readCsv,
  readCsvBatches,
  readCsvSeries,
  readLines,
  readText,
  readTextChunks,
} from '@recur/datasets/node';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstInvalidUtf8, StrictTextDecoder } from '../src/internal/strict-text.js';
import { caught, useLeakChecks } from './helpers.js';

let dir = '';
const file = async (name: string, content: string | Uint8Array) => {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
};
const bytes = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'recur-bad-input-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe('text readers given bytes that are not UTF-8', () => {
  useLeakChecks();
  // 'café' is 5 bytes in UTF-8; 0xff never appears in UTF-8.
  const latin = bytes('café ', [0xff], ' end\nline 2\n');

  /** Each reader, its result flattened to text; `encoding` undefined leaves the option out. */
  const readers: [string, (path: string, encoding?: string) => Promise<string>][] = [
    ['readText', (p, encoding) => readText(p, { encoding })],
    ['readTextChunks', async (p, encoding) => (await all(readTextChunks(p, { chunkBytes: 3, encoding }))).join('')],
    ['readLines', async (p, encoding) => (await all(readLines(p, { encoding }))).flat().join('\n')],
    ['readCsv', async (p, encoding) => JSON.stringify(await readCsv(p, { encoding }))],
    ['readCsvBatches', async (p, encoding) => JSON.stringify(await all(readCsvBatches(p, { batchSize: 1, encoding })))],
  ];

  it.each(readers)('%s should refuse a malformed byte, naming the file and its byte offset', async (_, read) => {
    const path = await file('latin.txt', latin);
    const error = await caught(() => read(path));
    expect(error).toBeInstanceOf(RecurError);
    expect(error.code).toBe('BAD_DATA');
    expect(error.message).toContain(`${path}: not valid UTF-8 (byte 0xff) at byte offset 6`);
    expect(error.message).toContain("encoding: 'latin1'");
  });

  it.each(readers)('%s should read the same bytes as latin1 when asked', async (_, read) => {
    const path = await file('latin.txt', latin);
    const text = await read(path, 'latin1');
    expect(text).toContain('cafÃ©');
    expect(text).toContain('ÿ');
  });

  it.each(readers)('%s should refuse binary data (a NUL byte) and an unknown encoding', async (_, read) => {
    const path = await file('binary.bin', bytes('PK', [3, 4, 0, 0, 20], 'rest'));
    await expect(read(path)).rejects.toThrow(/a NUL byte: this is binary data, not text at byte offset 4/);
    await expect(read(path, 'klingon')).rejects.toThrow(/options.encoding: expected a text encoding/);
  });

  it('should name a character cut off at the end of the file', async () => {
    const path = await file('cut.txt', bytes('price 5', [0xe2, 0x82]));
    await expect(readText(path)).rejects.toThrow(/not valid UTF-8 \(byte 0xe2\) at byte offset 7/);
    await expect(all(readTextChunks(path, { chunkBytes: 2 }))).rejects.toThrow(/at byte offset 7/);
  });

  it('should decode characters split across chunks whole', async () => {
    const text = 'naïve € 𝄞 façade\n';
    const path = await file('split.txt', Buffer.from(text));
    for (const chunkBytes of [1, 2, 3, 5])
      expect((await all(readTextChunks(path, { chunkBytes }))).join('')).toBe(text);
  });

  it('should refuse a tokenizer file that is not UTF-8', async () => {
    const path = await file('tok.json', bytes('{"letters":"', [0xc3, 0x28], '"}'));
    await expect(loadTokenizer(path)).rejects.toThrow(/not valid UTF-8 \(byte 0xc3\) at byte offset 12/);
  });

  it('should name the offset of the first malformed byte however the bytes are chunked', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 40 }).map((b) => b.map((x) => (x === 0 ? 0x41 : x))),
        fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 10 }),
        (input, sizes) => {
          const decoder = new StrictTextDecoder('utf-8', 'f');
          let text = '';
          let error: Error | undefined;
          try {
            let at = 0;
            for (let i = 0; at < input.length; i++) {
              const size = sizes[i % sizes.length] as number;
              text += decoder.decode(input.subarray(at, at + size));
              at += size;
            }
            text += decoder.end();
          } catch (e) {
            error = e as Error;
          }
          const bad = firstInvalidUtf8(input);
          if (bad < 0) expect(text).toBe(new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(input));
          else expect(error?.message).toContain(`at byte offset ${bad};`);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('CSV cells that are blank', () => {
  useLeakChecks();

  it('should refuse a blank cell of a one-column series, naming the row, instead of dropping it', async () => {
    const path = await file('one.csv', 'level\n1\n\n3\n');
    const error = await caught(() => readCsvSeries(path, { columns: ['level'] }));
    expect(error.code).toBe('BAD_DATA');
    expect(error.message).toBe(
      `${path}:3: row 2, column 'level': blank cell; fill it, or pass blank: 'previous' or 'zero' to impute it`,
    );
  });

  it('should impute only by the option asked for, and ignore empty lines at the end', async () => {
    const path = await file('one.csv', 'level\n1\n\n3\n\n\n');
    const series = async (blank: 'previous' | 'zero') =>
      Array.from((await readCsvSeries(path, { columns: ['level'], blank })).series.data);
    expect(await series('previous')).toEqual([1, 1, 3]);
    expect(await series('zero')).toEqual([1, 0, 3]);
    const streamed = await all(readCsvBatches(path, { numeric: 'all', blank: 'zero', batchSize: 2 }));
    expect(streamed.map((b) => [b.rows.map((r) => r.level), Array.from(b.lines)])).toEqual([
      [
        [1, 0],
        [2, 3],
      ],
      [[3], [4]],
    ]);
  });

  it('should refuse a blank in the first row when imputing from the previous one', () => {
    expect(() => parseCsv('a,b\n1,\n2,3\n', { numeric: 'all', blank: 'previous', source: 's.csv' })).toThrow(
      "s.csv:2: row 1, column 'b': blank cell with no row before it",
    );
    expect(parseCsv('a,b\n1,2\n3, \n', { numeric: 'all', blank: 'previous' }).rows[1]).toEqual({ a: 3, b: 2 });
  });

  it('should refuse an unknown blank policy and non-decimal numbers', () => {
    expect(() => parseCsv('a\n1\n', { blank: 'drop' as never })).toThrow(
      /options.blank: expected 'error', 'previous' or 'zero', received 'drop'/,
    );
    expect(() => parseCsv('a\n0x10\n', { numeric: 'all', source: 'h.csv' })).toThrow(
      "h.csv:2: column 'a': expected a number, received '0x10'",
    );
    expect(parseCsv('a\n-1.5e3\n.25\n+7\n', { numeric: 'all' }).rows.map((r) => r.a)).toEqual([-1500, 0.25, 7]);
  });
});

describe('CSV column names that are object keys', () => {
  useLeakChecks();

  it('should keep __proto__, constructor and toString as ordinary columns', async () => {
    const text = '__proto__,constructor,toString\n1,2,x\n';
    for (const table of [
      parseCsv(text, { numeric: ['__proto__', 'constructor'] }),
      await readCsv(await file('proto.csv', text), { numeric: ['__proto__', 'constructor'] }),
    ]) {
      const row = table.rows[0] as Record<string, unknown>;
      expect(table.header).toEqual(['__proto__', 'constructor', 'toString']);
      expect(Object.getPrototypeOf(row)).toBeNull();
      expect(Object.keys(row)).toEqual(['__proto__', 'constructor', 'toString']);
      expect(['__proto__', 'constructor', 'toString'].map((k) => row[k])).toEqual([1, 2, 'x']);
      expect(Array.from(tableToSeries(table, ['__proto__', 'constructor']).data)).toEqual([1, 2]);
    }
    expect(({} as Record<string, unknown>).constructor).toBe(Object);
  });
});
