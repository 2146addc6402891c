import { describe, expect, it } from 'vitest';
import { runBuilt } from './helpers/cli.js';
import { tempDir } from './helpers/fixtures.js';

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
      const evaluated = await runBuilt(['eval', '--model', 'recur-runs/forecast-births'], dir);
      expect(evaluated.code).toBe(0);
      expect(evaluated.out).toBe(train.out);
    },
    TIMEOUT,
  );
});
