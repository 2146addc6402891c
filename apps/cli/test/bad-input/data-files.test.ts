import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorLines, recur } from '../helpers/cli.js';
import { tempDir } from '../helpers/fixtures.js';

const TINY = ['--units', '8', '--batch', '4', '--max-steps', '2', '--seq-length', '8', '--checkpoint-dir', 'run'];

function expectOneLine(result: { code: number; out: string; err: string }, message: RegExp): void {
  const { errors, stack } = errorLines(result.err);
  expect(errors).toEqual([expect.stringMatching(message)]);
  expect(stack).toBe(false);
  expect(result.code).toBe(1);
}

describe('recur train with files that are not UTF-8 text', () => {
  it('should name the byte offset of the first byte that is not UTF-8 (Latin-1 text)', async () => {
    const dir = await tempDir();
    const path = join(dir, 'latin1.txt');
    const text = Buffer.from('a'.repeat(1000), 'latin1');
    await writeFile(path, Buffer.concat([text, Buffer.from('caf\xe9 au lait', 'latin1'), text]));
    expectOneLine(
      await recur(['train', 'char-lm', '--file', path, ...TINY], dir),
      /latin1\.txt is not UTF-8 text: byte 0xE9 at byte offset 1003 cannot be decoded; convert the file to UTF-8/,
    );
  });

  it('should find the offset past the first read chunk, with multi-byte characters before it', async () => {
    const dir = await tempDir();
    const path = join(dir, 'late.txt');
    const good = Buffer.from('é'.repeat(700_000)); // 1.4 MB of two-byte characters: past the 1 MiB chunk
    await writeFile(path, Buffer.concat([good, Buffer.from([0xff]), good]));
    expectOneLine(
      await recur(['train', 'char-lm', '--file', path, ...TINY], dir),
      /late\.txt is not UTF-8 text: byte 0xFF at byte offset 1400000 /,
    );
  });

  it('should call a file with NUL bytes binary', async () => {
    const dir = await tempDir();
    const path = join(dir, 'model.bin');
    await writeFile(path, Buffer.concat([Buffer.from('x'.repeat(300)), Buffer.from([0, 1, 2, 3])]));
    expectOneLine(
      await recur(['train', 'char-lm', '--file', path, ...TINY], dir),
      /model\.bin holds a NUL byte at byte offset 300: it looks like a binary file/,
    );
  });

  it('should check CSV files the same way', async () => {
    const dir = await tempDir();
    const path = join(dir, 'texts.csv');
    await writeFile(
      path,
      Buffer.concat([Buffer.from('text,label\nna'), Buffer.from([0xef, 0xbf]), Buffer.from('ve,1\n')]),
    );
    expectOneLine(
      await recur(['train', 'classify', '--file', path, ...TINY], dir),
      /texts\.csv is not UTF-8 text: byte 0xEF at byte offset 13 cannot be decoded/,
    );
  });
});
