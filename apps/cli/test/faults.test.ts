import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { loadCheckpoint } from '@recur/train/node';
import { beforeAll, describe, expect, it } from 'vitest';
import { trainedState } from './helpers/checkpoint.js';
import { runBuilt, spawnCli } from './helpers/cli.js';
import { seriesCsv, tempDir } from './helpers/fixtures.js';

/**
 * Faults injected into real runs of the built command (signals at several points, a
 * kill in the middle of a save), each followed by `--resume` to the same last step: the
 * files left must be complete and loadable, and the resumed model bit-identical to the
 * one an uninterrupted run trains. A forecaster on a small CSV: 34 steps an epoch, so
 * the stops fall mid-epoch and the resumed runs cross an epoch end.
 */
const STEPS = 40;
const TIMEOUT = 60_000;

function args(dir: string, extra: readonly string[] = []): string[] {
  return [
    'train',
    'forecast',
    '--file',
    join(dir, 'series.csv'),
    '--columns',
    'value',
    '--units',
    '48',
    '--batch',
    '8',
    '--seq-length',
    '8',
    '--checkpoint-every',
    '1',
    '--backend',
    'cpu',
    '--seed',
    '3',
    '--max-steps',
    String(STEPS),
    '--checkpoint-dir',
    'run',
    ...extra,
  ];
}

type Fault = 'SIGINT' | 'SIGTERM' | 'SIGKILL' | 'double SIGINT';
type When = 'first checkpoint' | 'later' | 'during a save';

/** Starts a run and injects `fault` at `when`; resolves with how it ended. */
async function faulted(dir: string, fault: Fault, when: When) {
  const child = spawnCli(args(dir), dir);
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  let ended = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => {
      ended = true;
      resolve({ code, signal });
    }),
  );
  const run = join(dir, 'run');
  const seen = async (test: (names: string[]) => boolean) => {
    for (;;) {
      if (ended) return false;
      const names = await readdir(run).catch(() => [] as string[]);
      if (test(names)) return true;
    }
  };
  let hit = await seen((n) => n.includes('model.ckpt'));
  if (when === 'later') await new Promise((r) => setTimeout(r, 250));
  if (when === 'during a save') hit = await seen((n) => n.some((x) => x.includes('.tmp-')));
  if (fault === 'double SIGINT') {
    child.kill('SIGINT');
    child.kill('SIGINT');
  } else child.kill(fault);
  return { hit: hit && !ended, ...(await exited), stderr: () => err };
}

describe('recur train under injected faults', () => {
  let reference: Record<string, string>;
  let dirs: string[];

  beforeAll(async () => {
    const dir = await tempDir();
    await seriesCsv(dir);
    const result = await runBuilt(args(dir), dir);
    expect(result.code).toBe(0);
    reference = trainedState(await loadCheckpoint(join(dir, 'run', 'model.ckpt')));
    dirs = [];
  }, TIMEOUT);

  const cases: [Fault, When][] = [
    ['SIGINT', 'first checkpoint'],
    ['SIGINT', 'later'],
    ['SIGINT', 'during a save'],
    ['double SIGINT', 'during a save'],
    ['SIGTERM', 'later'],
    ['SIGKILL', 'during a save'],
  ];

  it.each(cases)(
    'should leave a loadable model after %s at the %s, and resume to the bit-identical model',
    async (fault, when) => {
      const dir = await tempDir();
      dirs.push(dir);
      await seriesCsv(dir);
      let outcome = await faulted(dir, fault, when);
      // The save window is a few milliseconds: a run that ended before it was hit is tried again.
      for (let tries = 1; !outcome.hit && tries < 3; tries++) {
        await runBuilt(['train', ...args(dir).slice(1), '--overwrite'], dir).catch(() => undefined);
        outcome = await faulted(dir, fault, when);
      }
      expect(outcome.hit).toBe(true);
      if (fault === 'SIGKILL') expect(outcome.signal).toBe('SIGKILL');
      else if (fault === 'double SIGINT') expect(outcome.code === 130 || outcome.signal === 'SIGINT').toBe(true);
      else {
        expect(outcome.code).toBe(130);
        expect(outcome.stderr()).toMatch(/continue with: recur train forecast --resume --checkpoint-dir run/);
      }
      const stopped = await loadCheckpoint(join(dir, 'run', 'model.ckpt'));
      expect(stopped.step).toBeGreaterThan(0);
      expect(stopped.step).toBeLessThan(STEPS);
      const left = await readdir(join(dir, 'run'));
      // A process killed outright (SIGKILL, or a second Ctrl-C with the default action) may leave its lock and a temporary file.
      if (fault === 'SIGINT' || fault === 'SIGTERM') expect(left).toEqual(['model.ckpt']);
      else expect(left).toContain('model.ckpt');
      const resumed = await runBuilt([...args(dir), '--resume'], dir);
      expect(resumed.code).toBe(0);
      expect(resumed.err).toMatch(new RegExp(`resuming from step ${stopped.step}`));
      // Temporary files and the lock a killed run left are gone.
      expect(await readdir(join(dir, 'run'))).toEqual(['model.ckpt']);
      expect(trainedState(await loadCheckpoint(join(dir, 'run', 'model.ckpt')))).toEqual(reference);
    },
    TIMEOUT,
  );

  it(
    'should resume a run --max-steps stopped mid-epoch to the bit-identical model',
    async () => {
      const dir = await tempDir();
      await seriesCsv(dir);
      const first = await runBuilt([...args(dir), '--max-steps', '13'], dir);
      expect(first.code).toBe(0);
      expect((await loadCheckpoint(join(dir, 'run', 'model.ckpt'))).step).toBe(13);
      const resumed = await runBuilt([...args(dir), '--resume'], dir);
      expect(resumed.code).toBe(0);
      expect(trainedState(await loadCheckpoint(join(dir, 'run', 'model.ckpt')))).toEqual(reference);
    },
    TIMEOUT,
  );
});
