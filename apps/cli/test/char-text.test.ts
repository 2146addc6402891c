import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Tokenizer } from '@recur/datasets';
import { describe, expect, it } from 'vitest';
import { loadCharTexts } from '../src/data/char-text.js';
import { splitInTime } from '../src/data/files.js';
import { tempDir } from './helpers/fixtures.js';

describe('loadCharTexts', () => {
  it('should give the ids of a whole-string split, streaming a file past several read chunks', async () => {
    const dir = await tempDir();
    // Two- and four-byte characters (a surrogate pair in UTF-16) fall across the 1 MiB read chunks.
    const unit = 'Call me Ishmael — naïve 🐋 whale. ';
    const text = unit.repeat(Math.ceil(2_500_000 / unit.length));
    const path = join(dir, 'book.txt');
    await writeFile(path, text);
    const loaded = await loadCharTexts({ kind: 'file', path }, undefined, false);
    const parts = splitInTime([...text], { validation: 0.1, test: 0.1 });
    const tokenizer = Tokenizer.fit(parts.train.join(''), { level: 'char', maxSize: 256 });
    expect(loaded.tokenizer.toJSON()).toEqual(tokenizer.toJSON());
    const same = (ids: Uint8Array, part: string[]) =>
      expect(Buffer.from(ids).equals(Buffer.from(Uint8Array.from(tokenizer.encode(part.join('')))))).toBe(true);
    same(loaded.train, parts.train);
    same(loaded.validation, parts.validation);
    same(loaded.test, parts.test);
    expect(loaded.testHead).toBe(parts.test.join('').slice(0, 8));
  });

  it('should hold the text as one byte per character', async () => {
    const dir = await tempDir();
    const path = join(dir, 'book.txt');
    await writeFile(path, 'abcdefghij'.repeat(10_000));
    const loaded = await loadCharTexts({ kind: 'file', path }, undefined, false);
    expect(loaded.train).toBeInstanceOf(Uint8Array);
    expect(loaded.train.length + loaded.validation.length + loaded.test.length).toBe(100_000);
  });
});
