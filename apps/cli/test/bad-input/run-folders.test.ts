import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorLines, recur } from '../helpers/cli.js';
import { tempDir, textFile } from '../helpers/fixtures.js';

const TINY = ['--units', '8', '--batch', '4', '--max-steps', '2', '--seq-length', '8', '--checkpoint-dir', 'run'];

/** A pid no process has: above Linux's pid_max. */
const DEAD_PID = 4_194_305;

function expectOneLine(result: { code: number; out: string; err: string }, message: RegExp): void {
  const { errors, stack } = errorLines(result.err);
  expect(errors).toEqual([expect.stringMatching(message)]);
  expect(stack).toBe(false);
  expect(result.code).toBe(1);
}

describe('recur train and its run folder', () => {
  it('should refuse a folder holding a model unless --resume or --overwrite, leaving the model as it was', async () => {
    const dir = await tempDir();
    const text = await textFile(dir);
    expect((await recur(['train', 'char-lm', '--file', text, ...TINY], dir)).code).toBe(0);
    const before = await readFile(join(dir, 'run', 'model.ckpt'));
    expectOneLine(
      await recur(['train', 'char-lm', '--file', text, ...TINY, '--seed', '9'], dir),
      /run already holds a trained model: pass --resume to continue it, --overwrite to replace it, or another --checkpoint-dir/,
    );
    expect((await readFile(join(dir, 'run', 'model.ckpt'))).equals(before)).toBe(true);
    const replaced = await recur(['train', 'char-lm', '--file', text, ...TINY, '--seed', '9', '--overwrite'], dir);
    expect(replaced.code).toBe(0);
    expect((await readFile(join(dir, 'run', 'model.ckpt'))).equals(before)).toBe(false);
  });

  it('should refuse a folder another live run holds, naming it, and write nothing', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'run'));
    const owner = { pid: process.pid, host: hostname(), started: '2026-01-01T00:00:00.000Z' };
    await writeFile(join(dir, 'run', 'train.lock'), JSON.stringify(owner));
    const result = await recur(['train', 'char-lm', '--file', await textFile(dir), ...TINY], dir);
    expectOneLine(
      result,
      new RegExp(`run is in use by another run \\(pid ${process.pid} on .*\\): wait for it to end`),
    );
    expect(await readdir(join(dir, 'run'))).toEqual(['train.lock']);
  });

  it('should take over the lock of a dead run and remove the temporary files killed runs left', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'run'));
    await writeFile(join(dir, 'run', 'train.lock'), JSON.stringify({ pid: DEAD_PID, host: hostname(), started: '' }));
    await writeFile(join(dir, 'run', `model.ckpt.tmp-${DEAD_PID}-0badf00d`), 'half a checkpoint');
    const result = await recur(['train', 'char-lm', '--file', await textFile(dir), ...TINY], dir);
    expect(result.code).toBe(0);
    expect(await readdir(join(dir, 'run'))).toEqual(['model.ckpt']);
  });

  it('should refuse a checkpoint folder that is a file, before training', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'run'), 'a file, not a folder');
    const result = await recur(['train', 'char-lm', '--file', await textFile(dir), ...TINY], dir);
    expectOneLine(result, /--checkpoint-dir .*run cannot be used: .*run is a file, not a folder/);
    expect(result.err).not.toMatch(/^model:/m);
  });

  it('should refuse --resume with no checkpoint to resume', async () => {
    const dir = await tempDir();
    const result = await recur(['train', 'char-lm', '--file', await textFile(dir), ...TINY, '--resume'], dir);
    expectOneLine(result, /no checkpoint to resume at .*run\/model\.ckpt: drop --resume to train afresh/);
  });

  it('should refuse a constant series before training: its MASE is undefined', async () => {
    const dir = await tempDir();
    const csv = join(dir, 'flat.csv');
    await writeFile(csv, `day,value\n${Array.from({ length: 300 }, (_, t) => `${t},5`).join('\n')}\n`);
    const result = await recur(
      [
        'train',
        'forecast',
        '--file',
        csv,
        '--columns',
        'value',
        '--units',
        '8',
        '--batch',
        '4',
        '--checkpoint-dir',
        'run',
      ],
      dir,
    );
    expectOneLine(result, /the training part of 'value' is constant.*MASE, the score forecast reports, is undefined/);
    expect(result.err).not.toMatch(/^model:/m);
  });
});
