import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tokenizer } from '@recur/datasets';
import { readLines, readText, readTextChunks } from '@recur/datasets/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caught, useLeakChecks } from './helpers.js';

let dir = '';
let empty = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'recur-text-'));
  empty = join(dir, 'empty.txt');
  await writeFile(empty, '');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('readTextChunks', () => {
  useLeakChecks();

  describe('streaming', () => {
    it('should give back the whole text in chunks, never splitting a multi-byte character', async () => {
      const text = 'Call me Ishmael — ünïcödé 🐋 '.repeat(500);
      const path = join(dir, 'moby.txt');
      await writeFile(path, text);
      const chunks: string[] = [];
      for await (const chunk of readTextChunks(path, { chunkBytes: 7 })) chunks.push(chunk);
      expect(chunks.length).toBeGreaterThan(100);
      expect(chunks.join('')).toBe(text);
    });
  });

  describe('bad input', () => {
    it('should refuse an empty file, naming it', async () => {
      const error = await caught(async () => {
        for await (const _ of readTextChunks(empty)) void _;
      });
      expect(error.code).toBe('BAD_DATA');
      expect(error.message).toBe(`${empty}: expected non-empty text, the file is empty`);
    });
  });
});

describe('readLines', () => {
  useLeakChecks();

  describe('streaming', () => {
    it('should give every line in batches, CRLF or LF, to fit a tokenizer without holding the file', async () => {
      const path = join(dir, 'lines.txt');
      const lines = Array.from({ length: 25 }, (_, i) => `line ${i}`);
      await writeFile(path, lines.join('\r\n'));
      const batches: string[][] = [];
      for await (const batch of readLines(path, { batchSize: 10 })) batches.push(batch);
      expect(batches.map((b) => b.length)).toEqual([10, 10, 5]);
      expect(batches.flat()).toEqual(lines);
      const tokenizer = await Tokenizer.fitAsync(readLines(path, { batchSize: 4 }), { level: 'word' });
      expect(tokenizer.decode(tokenizer.encode('line 24'))).toBe('line 24');
    });
  });

  describe('bad input', () => {
    it('should refuse an empty file and a missing one, naming them', async () => {
      await expect(
        caught(async () => {
          for await (const _ of readLines(empty)) void _;
        }),
      ).resolves.toHaveProperty('message', `${empty}: expected non-empty text, the file is empty`);
      const absent = join(dir, 'absent.txt');
      await expect(
        caught(async () => {
          for await (const _ of readLines(absent)) void _;
        }),
      ).resolves.toHaveProperty('code', 'BAD_DATA');
      expect(() => readLines(absent, { batchSize: -1 })).toThrow(/options\.batchSize: expected a positive integer/);
    });
  });
});

describe('readText', () => {
  useLeakChecks();

  describe('whole file', () => {
    it('should read a file and refuse an empty one', async () => {
      const path = join(dir, 'short.txt');
      await writeFile(path, 'whale');
      expect(await readText(path)).toBe('whale');
      await expect(readText(empty)).rejects.toThrow(`${empty}: expected non-empty text, the file is empty`);
    });
  });
});
