import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { loadCheckpoint } from '@recur/train/node';
import { describe, expect, it } from 'vitest';
import { runBuilt, spawnCli } from './helpers/cli.js';
import { tempDir, textFile } from './helpers/fixtures.js';

const TIMEOUT = 120_000;

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Starts a long training run and resolves once its first checkpoint is on disk. */
async function trainingUntilFirstCheckpoint(dir: string) {
  const text = await textFile(dir, 20_000);
  const child = spawnCli(
    [
      'train',
      'char-lm',
      '--file',
      text,
      '--checkpoint-dir',
      'run',
      '--units',
      '16',
      '--batch',
      '4',
      '--seq-length',
      '8',
      '--checkpoint-every',
      '1',
      '--minutes',
      '5',
    ],
    dir,
  );
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  const path = join(dir, 'run', 'model.ckpt');
  const started = Date.now();
  while (!(await exists(path))) {
    if (Date.now() - started > TIMEOUT / 2) throw new Error(`no checkpoint appeared; stderr:\n${err}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, exited, path, stderr: () => err };
}

describe('recur train interrupted with Ctrl-C (SIGINT)', () => {
  it(
    'should stop, leave a complete checkpoint that loads and evaluates, and no temporary file',
    async () => {
      const dir = await tempDir();
      const run = await trainingUntilFirstCheckpoint(dir);
      run.child.kill('SIGINT');
      const { code } = await run.exited;
      expect(code).toBe(130);
      expect(run.stderr()).toMatch(/interrupted: stopping at the next safe point/);
      expect(run.stderr()).toMatch(/continue with: recur train char-lm --resume/);
      expect(await readdir(join(dir, 'run'))).toEqual(['model.ckpt']);
      const checkpoint = await loadCheckpoint(run.path);
      expect(checkpoint.step).toBeGreaterThan(0);
      const evaluated = await runBuilt(['eval', '--model', 'run', '--file', 'book.txt'], dir);
      expect(evaluated.code).toBe(0);
      expect(evaluated.out).toMatch(/held-out bits per character: \d+\.\d{3}/);
    },
    TIMEOUT,
  );

  it(
    'should quit at once on a second Ctrl-C, still leaving only a loadable checkpoint',
    async () => {
      const dir = await tempDir();
      const run = await trainingUntilFirstCheckpoint(dir);
      run.child.kill('SIGINT');
      run.child.kill('SIGINT');
      // 130 after a save the second Ctrl-C waited for, else killed by SIGINT itself (the shell's 130).
      const { code, signal } = await run.exited;
      expect(code === 130 || signal === 'SIGINT').toBe(true);
      expect(await readdir(join(dir, 'run'))).toEqual(['model.ckpt']);
      expect((await loadCheckpoint(run.path)).step).toBeGreaterThan(0);
    },
    TIMEOUT,
  );
});
