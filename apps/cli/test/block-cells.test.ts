import { join } from 'node:path';
import { loadCheckpoint } from '@recur/train/node';
import { describe, expect, it } from 'vitest';
import { BLOCK_CELLS } from '../src/model/blocks.js';
import { trainedState } from './helpers/checkpoint.js';
import { recur } from './helpers/cli.js';
import { classifyCsv, tempDir, textFile } from './helpers/fixtures.js';

/**
 * `--cell mingru|minlstm|slstm|mlstm|rwkv`: each block cell trains, saves, evaluates,
 * streams and resumes through the CLI like the classic cells. Two blocks of width 8 and a
 * few steps each, so the whole file stays a few seconds per cell.
 */
const TINY = ['--units', '8', '--layers', '2', '--batch', '4', '--seed', '3', '--checkpoint-every', '1'];
const TIMEOUT = 60_000;

const number = (pattern: RegExp, s: string) => Number(pattern.exec(s)?.[1]);

describe.each(BLOCK_CELLS)('recur train --cell %s', (cell) => {
  it(
    'should train char-lm, eval to the same bits per character, generate by sampling and beam, and resume mid-batch bit-identically',
    async () => {
      const dir = await tempDir();
      const text = await textFile(dir, 3000);
      const train = (run: string, steps: number, extra: readonly string[] = []) =>
        recur(
          ['train', 'char-lm', '--file', text, '--cell', cell, '--checkpoint-dir', run, ...TINY]
            .concat(['--seq-length', '8', '--embedding-dim', '6', '--max-steps', String(steps), '--eval-limit', '400'])
            .concat(extra),
          dir,
        );
      const whole = await train('whole', 4);
      expect(whole.err).not.toMatch(/^error:/m);
      expect(whole.code).toBe(0);
      expect(whole.err).toMatch(new RegExp(`model: ${cell} 2×8, [\\d,]+ weights`));
      const evaluated = await recur(['eval', '--model', 'whole', '--file', text, '--limit', '400'], dir);
      expect(evaluated.code).toBe(0);
      const bpc = /bits per character: (\d+\.\d+)/;
      expect(number(bpc, evaluated.out)).toBeCloseTo(number(bpc, whole.out), 3);

      const sampled = await recur(['generate', '--model', 'whole', '--prompt', 'The wha', '--length', '20'], dir);
      expect(sampled.code).toBe(0);
      expect(sampled.out.startsWith('The wha')).toBe(true);
      expect(sampled.out.trimEnd().length).toBeGreaterThan('The wha'.length);
      const beam = await recur(
        ['generate', '--model', 'whole', '--prompt', 'The', '--length', '6', '--beam', '3'],
        dir,
      );
      expect(beam.code).toBe(0);
      expect(beam.out.startsWith('The')).toBe(true);

      // Step 2 of 4 falls inside a batch of 8 TBPTT chunks: the carried state goes through the checkpoint.
      expect((await train('split', 2)).code).toBe(0);
      const resumed = await train('split', 4, ['--resume']);
      expect(resumed.code).toBe(0);
      expect(resumed.err).toMatch(/resuming from step 2/);
      const reference = trainedState(await loadCheckpoint(join(dir, 'whole', 'model.ckpt')));
      expect(trainedState(await loadCheckpoint(join(dir, 'split', 'model.ckpt')))).toEqual(reference);
    },
    TIMEOUT,
  );

  it(
    'should train a classifier, eval to the same accuracy, and resume bit-identically',
    async () => {
      const dir = await tempDir();
      const csv = await classifyCsv(dir, 40);
      const train = (run: string, steps: number, extra: readonly string[] = []) =>
        recur(
          ['train', 'classify', '--file', csv, '--cell', cell, '--checkpoint-dir', run, ...TINY]
            .concat(['--seq-length', '12', '--embedding-dim', '8', '--max-steps', String(steps)])
            .concat(extra),
          dir,
        );
      const whole = await train('whole', 4);
      expect(whole.code).toBe(0);
      const accuracy = /held-out accuracy: (\d+\.\d+)%/;
      expect(whole.out).toMatch(accuracy);
      const evaluated = await recur(['eval', '--model', 'whole', '--file', csv], dir);
      expect(evaluated.code).toBe(0);
      expect(number(accuracy, evaluated.out)).toBe(number(accuracy, whole.out));
      const exported = await recur(['export', '--model', 'whole', '--format', 'torch', '--out', 'torch'], dir);
      expect(exported.code).toBe(1);
      expect(exported.err).toMatch(new RegExp(`its ${cell} layers have no torch counterpart`));
      expect((await train('split', 3)).code).toBe(0);
      expect((await train('split', 4, ['--resume'])).code).toBe(0);
      const reference = trainedState(await loadCheckpoint(join(dir, 'whole', 'model.ckpt')));
      expect(trainedState(await loadCheckpoint(join(dir, 'split', 'model.ckpt')))).toEqual(reference);
    },
    TIMEOUT,
  );
});

describe('recur train --cell (block cells elsewhere)', () => {
  it.each(['forecast', 'anomaly', 'g2p'])(
    'should refuse a block cell for %s, naming the cells it takes',
    async (task) => {
      const dir = await tempDir();
      const result = await recur(['train', task, '--cell', 'mingru', '--max-steps', '1'], dir);
      expect(result.code).toBe(2);
      expect(result.err).toMatch(
        new RegExp(`--cell mingru applies to char-lm and classify; for ${task} choose lstm, gru or elman`),
      );
    },
  );
});
