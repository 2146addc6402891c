import { readdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { loadCheckpoint } from '@recur/train/node';
import { describe, expect, it } from 'vitest';
import { recur } from './helpers/cli.js';
import { anomalyCsv, classifyCsv, pronunciationsCsv, seriesCsv, tempDir, textFile } from './helpers/fixtures.js';

/** Tiny models and budgets: each run is a few optimizer steps. */
const TINY = ['--units', '8', '--batch', '4', '--max-steps', '4', '--checkpoint-every', '2', '--seed', '3'];

/** Runs stop exactly at --max-steps, also mid-batch (a char-lm batch is 8 TBPTT chunks of steps). */
async function trained(task: string, file: string, extra: readonly string[], dir: string) {
  const result = await recur(['train', task, '--file', file, '--checkpoint-dir', 'run', ...TINY, ...extra], dir);
  expect(result.err).not.toMatch(/^error:/m);
  expect(result.code).toBe(0);
  const checkpoint = await loadCheckpoint(join(dir, 'run', 'model.ckpt'));
  expect(checkpoint.step).toBe(4);
  // Only the model file: the atomic save leaves no temporary behind.
  expect(await readdir(join(dir, 'run'))).toEqual(['model.ckpt']);
  return result;
}

describe('recur train › recur eval', () => {
  it('should train char-lm on a text file, report bits per character and a sample, and eval the saved model', async () => {
    const dir = await tempDir();
    const text = await textFile(dir);
    const train = await trained('char-lm', text, ['--seq-length', '8'], dir);
    expect(train.err).toMatch(/backend: wasm/);
    expect(train.out).toMatch(/held-out bits per character: \d+\.\d{3}/);
    expect(train.out).toMatch(/sample \(temperature 0\.8\):\n.{9,}/);
    const evaluated = await recur(['eval', '--model', 'run', '--file', text], dir);
    expect(evaluated.code).toBe(0);
    // The same weights and text give the same number.
    const bpc = (s: string) => Number(/bits per character: (\d+\.\d+)/.exec(s)?.[1]);
    expect(bpc(evaluated.out)).toBeCloseTo(bpc(train.out), 3);
    // --threads: the backend line says how many run, and the number does not move with them.
    expect(train.err).toMatch(/backend: wasm, \d+ threads? \(default/);
    const single = await recur(['eval', '--model', 'run', '--file', text, '--threads', '1'], dir);
    expect(single.err).toMatch(/backend: wasm, 1 thread \(default/);
    expect(bpc(single.out)).toBeCloseTo(bpc(train.out), 3);
    const cpu = await recur(['eval', '--model', 'run', '--file', text, '--backend', 'cpu', '--threads', '2'], dir);
    expect(cpu.err).toMatch(/^backend: cpu, 2 threads$/m);
    expect(bpc(cpu.out)).toBeCloseTo(bpc(train.out), 3);
    const zero = await recur(['eval', '--model', 'run', '--file', text, '--threads', '0'], dir);
    expect(zero.code).toBe(2);
    expect(zero.err).toMatch(/--threads <n>.*expected a positive integer/);
  });

  it('should train a classifier on a CSV file and report accuracy and F1 from eval', async () => {
    const dir = await tempDir();
    const csv = await classifyCsv(dir);
    const train = await trained('classify', csv, ['--seq-length', '16'], dir);
    expect(train.out).toMatch(/held-out accuracy: \d+\.\d+%/);
    const evaluated = await recur(['eval', '--model', 'run/model.ckpt', '--file', csv], dir);
    expect(evaluated.code).toBe(0);
    expect(evaluated.out).toMatch(/precision \d\.\d{3}, recall \d\.\d{3}, F1 \d\.\d{3}/);
    // The model file names no data file: eval reads only the one the command line gives.
    const unnamed = await recur(['eval', '--model', 'run'], dir);
    expect(unnamed.code).toBe(1);
    expect(unnamed.err).toMatch(
      /error: .*was trained on a file \(texts\.csv\): pass the data to evaluate on with --file <path>/,
    );
    await rename(csv, join(dir, 'moved.csv'));
    const found = await recur(['eval', '--model', 'run', '--file', 'moved.csv'], dir);
    expect(found.code).toBe(0);
    expect(found.out).toBe(evaluated.out);
  });

  it('should train a forecaster on a CSV column and report MASE against the seasonal-naive forecast', async () => {
    const dir = await tempDir();
    const csv = await seriesCsv(dir);
    const train = await trained(
      'forecast',
      csv,
      ['--columns', 'value', '--seq-length', '14', '--season', '7', '--lag', '7'],
      dir,
    );
    expect(train.out).toMatch(/held-out MASE: \d+\.\d{3} \(seasonal-naive forecast, season 7: \d+\.\d{3}\)/);
    const evaluated = await recur(['eval', '--model', 'run', '--file', csv], dir);
    expect(evaluated.code).toBe(0);
    expect(evaluated.out.split('\n')[0]).toBe(train.out.split('\n')[0]);
  });

  it('should train a forecaster on the absolute error with --loss mae: the loss it reports is its MAE', async () => {
    const dir = await tempDir();
    const csv = await seriesCsv(dir);
    const flags = ['--columns', 'value', '--seq-length', '14', '--season', '7', '--lag', '7', '--epochs', '1'];
    const result = await recur(
      ['train', 'forecast', '--file', csv, '--checkpoint-dir', 'run', ...flags, '--loss', 'mae'],
      dir,
    );
    expect(result.code).toBe(0);
    const first = /step 1 .*loss (\d+\.\d+) {2}mae (\d+\.\d+)/.exec(result.err);
    expect(first?.[1]).toBeDefined();
    expect(first?.[1]).toBe(first?.[2]);
    const checkpoint = await loadCheckpoint(join(dir, 'run', 'model.ckpt'));
    expect(checkpoint.config).toMatchObject({ settings: { loss: 'mae' } });
    const squared = await recur(['train', 'forecast', '--file', csv, '--checkpoint-dir', 'mse', ...flags], dir);
    expect(/step 1 .*loss (\d+\.\d+) {2}mae (\d+\.\d+)/.exec(squared.err)?.slice(1, 3)).not.toEqual(first?.slice(1, 3));
    expect((await recur(['train', 'char-lm', '--file', csv, '--loss', 'mae'], dir)).err).toMatch(
      /--loss does not apply to char-lm/,
    );
  });

  it('should train an anomaly detector and compare it with the rolling z-score baseline', async () => {
    const dir = await tempDir();
    const csv = await anomalyCsv(dir);
    const train = await trained(
      'anomaly',
      csv,
      ['--columns', 'a,b', '--label-column', 'anomaly', '--seq-length', '8'],
      dir,
    );
    expect(train.out).toMatch(/forecaster .*precision \d\.\d{3}, recall \d\.\d{3}, F1 \d\.\d{3}/);
    expect(train.out).toMatch(/rolling z-score baseline \(window 8\): precision/);
    const evaluated = await recur(['eval', '--model', 'run', '--file', csv], dir);
    expect(evaluated.code).toBe(0);
    expect(evaluated.out).toBe(train.out);
  });

  it('should train g2p with attention and report phoneme and word error rates, greedy and beam', async () => {
    const dir = await tempDir();
    const csv = await pronunciationsCsv(dir);
    const train = await trained('g2p', csv, ['--seq-length', '8'], dir);
    expect(train.out).toMatch(/greedy: phoneme error rate \d+\.\d+%, word error rate \d+\.\d+%/);
    expect(train.out).toMatch(/beam 5: phoneme error rate/);
    const evaluated = await recur(['eval', '--model', 'run', '--beam', '3', '--file', csv], dir);
    expect(evaluated.code).toBe(0);
    expect(evaluated.out).toMatch(/beam 3: phoneme error rate/);
    const spoken = await recur(['generate', '--model', 'run', '--prompt', 'bad cafe'], dir);
    expect(spoken.code).toBe(0);
    expect(spoken.out).toMatch(/^bad\t.*\ncafe\t/);
  });
});

describe('recur generate', () => {
  it('should continue a prompt from a char-lm checkpoint by sampling, greedily and by beam search', async () => {
    const dir = await tempDir();
    await trained('char-lm', await textFile(dir), ['--seq-length', '8'], dir);
    const sampled = await recur(
      ['generate', '--model', 'run', '--prompt', 'The wha', '--length', '40', '--top-k', '5'],
      dir,
    );
    expect(sampled.code).toBe(0);
    expect(sampled.out.startsWith('The wha')).toBe(true);
    expect(sampled.out.trimEnd().length).toBeGreaterThan('The wha'.length);
    const again = await recur(
      ['generate', '--model', 'run', '--prompt', 'The wha', '--length', '40', '--top-k', '5'],
      dir,
    );
    expect(again.out).toBe(sampled.out);
    const beam = await recur(['generate', '--model', 'run', '--prompt', 'The', '--length', '10', '--beam', '3'], dir);
    expect(beam.code).toBe(0);
    expect(beam.out.startsWith('The')).toBe(true);
  });

  it('should resume training from the checkpoint and continue its step count', async () => {
    const dir = await tempDir();
    const text = await textFile(dir);
    await trained('char-lm', text, ['--seq-length', '8'], dir);
    const resumed = await recur(
      [
        'train',
        'char-lm',
        '--file',
        text,
        '--checkpoint-dir',
        'run',
        ...TINY,
        '--seq-length',
        '8',
        '--resume',
        '--max-steps',
        '16',
      ],
      dir,
    );
    expect(resumed.code).toBe(0);
    expect(resumed.err).toMatch(/resuming from step 4/);
    expect((await loadCheckpoint(join(dir, 'run', 'model.ckpt'))).step).toBe(16);
  });
});

describe('recur train char-lm --dropout', () => {
  it('should train with dropout, evaluate without it, and resume only with the same rate', async () => {
    const dir = await tempDir();
    const text = await textFile(dir);
    const train = await trained('char-lm', text, ['--seq-length', '8', '--dropout', '0.3'], dir);
    const checkpoint = await loadCheckpoint(join(dir, 'run', 'model.ckpt'));
    const config = checkpoint.config as { settings: { dropout?: number }; net: { dropout?: number } };
    expect(config.settings.dropout).toBe(0.3);
    expect(config.net.dropout).toBe(0.3);
    // Evaluation is deterministic: the model file's held-out number is the one training printed.
    const bpc = (s: string) => Number(/bits per character: (\d+\.\d+)/.exec(s)?.[1]);
    const evaluated = await recur(['eval', '--model', 'run', '--file', text], dir);
    expect(evaluated.code).toBe(0);
    expect(bpc(evaluated.out)).toBeCloseTo(bpc(train.out), 3);
    const resume = (extra: readonly string[]) =>
      recur(
        ['train', 'char-lm', '--file', text, '--checkpoint-dir', 'run', ...TINY, '--seq-length', '8', '--resume']
          .concat(['--max-steps', '6'])
          .concat(extra),
        dir,
      );
    const without = await resume([]);
    expect(without.code).toBe(1);
    expect(without.err).toMatch(
      /another model shape \(--dropout 0\.3, this run asks for none\): resume with --dropout 0\.3/,
    );
    expect((await resume(['--dropout', '0.3'])).code).toBe(0);
    expect((await loadCheckpoint(join(dir, 'run', 'model.ckpt'))).step).toBe(6);
  });
});

describe('recur train --budget-clock', () => {
  it("should count the budget in this process's CPU time with --budget-clock cpu, and stop on it", async () => {
    const dir = await tempDir();
    const text = await textFile(dir);
    // A budget of 0.001 min of CPU time: training stops on the clock, not on a step limit.
    const result = await recur(
      [
        'train',
        'char-lm',
        '--file',
        text,
        '--checkpoint-dir',
        'run',
        '--units',
        '8',
        '--batch',
        '4',
        '--seq-length',
        '8',
      ].concat(['--minutes', '0.001', '--budget-clock', 'cpu']),
      dir,
    );
    expect(result.code).toBe(0);
    expect(result.err).toMatch(/budget 0:00 of CPU time/);
    expect(result.err).toMatch(/trained \d+ steps/);
  });

  it('should refuse a clock it does not know', async () => {
    const dir = await tempDir();
    const result = await recur(['train', 'char-lm', '--budget-clock', 'gpu'], dir);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/--budget-clock.*'gpu'.*wall, cpu/);
  });
});
