import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tokenizer } from '@recur/datasets';
import { loadTokenizer, saveTokenizer } from '@recur/datasets/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caught, useLeakChecks } from './helpers.js';

describe('tokenizer files', () => {
  useLeakChecks();
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'recur-tokenizer-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe('saveTokenizer / loadTokenizer', () => {
    it('should save and load a tokenizer that encodes exactly as the original', async () => {
      const tokenizer = Tokenizer.fit(['Call me Ishmael.', 'Some years ago'], { level: 'word', maxSize: 10 });
      const path = join(dir, 'words.json');
      await saveTokenizer(path, tokenizer);
      const loaded = await loadTokenizer(path);
      expect(loaded.vocabulary.tokens).toEqual(tokenizer.vocabulary.tokens);
      expect(Array.from(loaded.encode('Call me, Ishmael'))).toEqual(Array.from(tokenizer.encode('Call me, Ishmael')));
      expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    });

    it('should refuse a file that is not JSON, naming the file', async () => {
      const path = join(dir, 'broken.json');
      await writeFile(path, '{"format": "recur-tokenizer", ');
      const error = await caught(() => loadTokenizer(path));
      expect(error.code).toBe('BAD_DATA');
      expect(error.message).toContain(`${path}: expected tokenizer JSON`);
    });

    it('should refuse a vocabulary in another format (a Keras word_index), naming the file and field', async () => {
      const path = join(dir, 'keras.json');
      await writeFile(path, JSON.stringify({ the: 1, cat: 2 }));
      const error = await caught(() => loadTokenizer(path));
      expect(error.code).toBe('BAD_DATA');
      expect(error.message).toBe(`${path}: format: expected 'recur-tokenizer', received undefined`);
    });

    it('should refuse a file edited by hand after saving', async () => {
      const path = join(dir, 'edited.json');
      await saveTokenizer(path, Tokenizer.fit('abc', { level: 'char' }));
      const json = JSON.parse(await readFile(path, 'utf8'));
      json.tokens.push('d');
      await writeFile(path, JSON.stringify(json));
      await expect(loadTokenizer(path)).rejects.toThrow(`${path}: checksum: expected`);
    });

    it('should name a file that does not exist', async () => {
      const path = join(dir, 'absent.json');
      await expect(loadTokenizer(path)).rejects.toThrow(`${path}: cannot read tokenizer`);
    });
  });
});
