import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Checkpoint } from '@recur/train';
import { loadCheckpoint, saveCheckpoint } from '@recur/train/node';
import { describe, expect, it } from 'vitest';
import { CALENDAR_COVARIATES } from '../src/data/calendar-covariates.js';
import { readModelFile } from '../src/model/model-file.js';
import { runBuilt } from './helpers/cli.js';
import { tempDir } from './helpers/fixtures.js';

/** A births forecaster (16 units, 30 steps) saved by the CLI before it read calendar covariates. */
const BEFORE_CALENDAR = fileURLToPath(new URL('fixtures/births-before-calendar/model.ckpt', import.meta.url));

const TIMEOUT = 120_000;

// The built command on packaged datasets, as a user runs it (`pnpm recur …` runs dist/main.js).
describe('recur on real datasets', () => {
  it(
    'should train char-lm on Moby Dick, print a sample and held-out bits per character, and generate from the model',
    async () => {
      const dir = await tempDir();
      const train = await runBuilt(
        ['train', 'char-lm', '--dataset', 'moby-dick', '--units', '16', '--max-steps', '8', '--eval-limit', '2000'],
        dir,
      );
      expect(train.err).toMatch(/backend: wasm/);
      expect(train.err).toMatch(/moby-dick: 986,791 training characters/);
      expect(train.code).toBe(0);
      expect(train.out).toMatch(/held-out bits per character: \d+\.\d{3} \(2,000 test characters/);
      expect(train.out).toMatch(/sample \(temperature 0\.8\):\nCall me /);
      const generated = await runBuilt(
        [
          'generate',
          '--model',
          'recur-runs/char-lm-moby-dick',
          '--prompt',
          'Ishmael',
          '--length',
          '20',
          '--backend',
          'cpu',
        ],
        dir,
      );
      expect(generated.err).toMatch(/backend: cpu/);
      expect(generated.code).toBe(0);
      expect(generated.out.startsWith('Ishmael')).toBe(true);
    },
    TIMEOUT,
  );

  it(
    'should forecast US births and report MASE against the seasonal-naive weekly forecast, in train and eval',
    async () => {
      const dir = await tempDir();
      const train = await runBuilt(
        ['train', 'forecast', '--dataset', 'births', '--units', '16', '--max-steps', '30'],
        dir,
      );
      expect(train.code).toBe(0);
      expect(train.out).toMatch(/held-out MASE: \d+\.\d{3} \(seasonal-naive forecast, season 7: 1\.1\d\d\)/);
      expect(train.out).toMatch(/validation MASE: \d+\.\d{3}/);
      expect(train.err).toMatch(/lag 364, with holidays and weekdays/);
      const evaluated = await runBuilt(['eval', '--model', 'recur-runs/forecast-births'], dir);
      expect(evaluated.code).toBe(0);
      expect(evaluated.out).toBe(train.out);
      const file = await readModelFile(join(dir, 'recur-runs/forecast-births/model.ckpt'));
      expect(file.config.preprocessing).toMatchObject({ calendar: [...CALENDAR_COVARIATES] });
      expect(file.config.net).toMatchObject({ input: { size: 2 + 2 * CALENDAR_COVARIATES.length } });
    },
    TIMEOUT,
  );

  it(
    'should evaluate a births model saved before calendar covariates on its own inputs, with the MASE it had',
    async () => {
      const dir = await tempDir();
      await mkdir(join(dir, 'old'));
      await copyFile(BEFORE_CALENDAR, join(dir, 'old/model.ckpt'));
      const evaluated = await runBuilt(['eval', '--model', 'old'], dir);
      expect(evaluated.code).toBe(0);
      expect(evaluated.err).toMatch(/lag 364\n/);
      // What the CLI printed when it trained this model (commit cd45eeb).
      expect(evaluated.out).toMatch(/^held-out MASE: 0\.916 \(seasonal-naive forecast, season 7: 1\.150\)/);
      expect(evaluated.out).toMatch(/held-out MAE: 245\.0 \(seasonal-naive: 307\.4\), RMSE 397\.3/);
    },
    TIMEOUT,
  );

  it(
    'should refuse a births model that names calendar covariates this version does not compute, in one line',
    async () => {
      const dir = await tempDir();
      const checkpoint = await loadCheckpoint(BEFORE_CALENDAR);
      const config = JSON.parse(JSON.stringify(checkpoint.config)) as { preprocessing: Record<string, unknown> };
      config.preprocessing.calendar = ['easter'];
      await mkdir(join(dir, 'crafted'));
      await saveCheckpoint(join(dir, 'crafted/model.ckpt'), { ...checkpoint, config } as Checkpoint);
      const evaluated = await runBuilt(['eval', '--model', 'crafted'], dir);
      expect(evaluated.code).toBe(1);
      expect(evaluated.out).toBe('');
      expect(evaluated.err).toMatch(
        /the model file's calendar covariates \(easter\) are not the ones this version computes for this data \(new-year, memorial-day, .*\): train it again/,
      );
    },
    TIMEOUT,
  );
});
