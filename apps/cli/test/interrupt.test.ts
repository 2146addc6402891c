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

/**
 * Starts `args`, sends `signals` once `ready` shows on stderr, and resolves with how it ended.
 * Each run asked for here would take many minutes to the end, past the test's timeout, so
 * ending with the interrupt's code proves the interrupt was honoured; no timing is asserted.
 */
async function interrupted(args: readonly string[], dir: string, ready: RegExp, signals: NodeJS.Signals[]) {
  const child = spawnCli(args, dir);
  let err = '';
  let sent = false;
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      if (!sent && ready.test(err)) {
        sent = true;
        // Past the start-up, into the loop.
        setTimeout(() => {
          for (const s of signals) child.kill(s);
        }, 300);
      }
    });
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  return { ...(await ended), err };
}

describe('recur eval and generate interrupted with Ctrl-C', () => {
  it(
    'should stop a long generation between tokens, and a long evaluation between batches, with exit code 130',
    async () => {
      const dir = await tempDir();
      // 300,000 held-out characters: an evaluation of many batches.
      const text = await textFile(dir, 1_500_000);
      const trained = await runBuilt(
        ['train', 'char-lm', '--file', text, '--checkpoint-dir', 'run', '--units', '64', '--max-steps', '1'],
        dir,
      );
      expect(trained.code).toBe(0);
      const generating = await interrupted(['generate', '--model', 'run', '--length', '1000000'], dir, /backend:/, [
        'SIGINT',
      ]);
      expect(generating.code).toBe(130);
      expect(generating.err).toMatch(/^error: interrupted$/m);
      const evaluating = await interrupted(['eval', '--model', 'run', '--file', text], dir, /^model: /m, ['SIGINT']);
      expect(evaluating.code).toBe(130);
      expect(evaluating.err).toMatch(/^error: interrupted$/m);
    },
    TIMEOUT,
  );

  it(
    'should end at once inside long synchronous work with nothing to save (a beam search)',
    async () => {
      const dir = await tempDir();
      const text = await textFile(dir, 400_000);
      expect(
        (
          await runBuilt(
            ['train', 'char-lm', '--file', text, '--checkpoint-dir', 'run', '--units', '64', '--max-steps', '1'],
            dir,
          )
        ).code,
      ).toBe(0);
      // Beam search is one synchronous call: no handler could run before it returns, so Ctrl-C ends it.
      const result = await interrupted(
        ['generate', '--model', 'run', '--length', '100000', '--beam', '8'],
        dir,
        /backend:/,
        ['SIGINT'],
      );
      expect(result.signal === 'SIGINT' || result.code === 130).toBe(true);
    },
    TIMEOUT,
  );
});
