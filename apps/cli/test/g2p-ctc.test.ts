import { describe, expect, it } from 'vitest';
import { recur } from './helpers/cli.js';
import { pronunciationsCsv, tempDir } from './helpers/fixtures.js';

const TINY = ['--units', '8', '--batch', '4', '--max-steps', '4', '--seed', '3', '--seq-length', '8'];

describe('recur train g2p --model ctc', () => {
  it('should train a BiLSTM by CTC and report phoneme and word error rates, greedy and prefix beam', async () => {
    const dir = await tempDir();
    const csv = await pronunciationsCsv(dir);
    const train = await recur(
      ['train', 'g2p', '--model', 'ctc', '--layers', '2', '--file', csv, '--checkpoint-dir', 'run', ...TINY],
      dir,
    );
    expect(train.err).not.toMatch(/^error/m);
    expect(train.err).toMatch(/CTC over 2 frames per letter/);
    expect(train.code).toBe(0);
    expect(train.out).toMatch(/^greedy: phoneme error rate \d+\.\d+%, word error rate \d+\.\d+%/m);
    expect(train.out).toMatch(/^prefix beam 5: phoneme error rate \d+\.\d+%, word error rate \d+\.\d+%/m);
    const evaluated = await recur(['eval', '--model', 'run', '--file', csv, '--beam', '1,3'], dir);
    expect(evaluated.code).toBe(0);
    expect(evaluated.out).toMatch(/^prefix beam 3: phoneme error rate/m);
    const spoken = await recur(['generate', '--model', 'run', '--prompt', 'bad cafe', '--beam', '2'], dir);
    expect(spoken.code).toBe(0);
    expect(spoken.out).toMatch(/^bad\t.*\ncafe\t/);
  });

  it('should refuse --model for other tasks', async () => {
    const dir = await tempDir();
    const result = await recur(['train', 'char-lm', '--model', 'ctc'], dir);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/--model does not apply to char-lm/);
  });
});
