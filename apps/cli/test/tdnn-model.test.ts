import { join } from 'node:path';
import { loadCheckpoint } from '@recur/train/node';
import { describe, expect, it } from 'vitest';
import { trainedState } from './helpers/checkpoint.js';
import { recur } from './helpers/cli.js';
import { anomalyCsv, classifyCsv, seriesCsv, tempDir } from './helpers/fixtures.js';

/**
 * `--model tdnn`: a time-delay stack in place of the recurrent layers, for the tasks that
 * read a sequence into one answer. Each trains a few steps, saves, evaluates to the numbers
 * training reported, and resumes to the bit-identical model.
 */
const TINY = ['--units', '8', '--batch', '8', '--seed', '3', '--checkpoint-every', '1', '--model', 'tdnn'];
const TIMEOUT = 60_000;

const tasks = [
  {
    task: 'classify',
    data: (dir: string) => classifyCsv(dir, 40),
    args: ['--seq-length', '12', '--embedding-dim', '8'],
    metric: /held-out accuracy: (\d+\.\d+)%/,
  },
  {
    task: 'forecast',
    data: (dir: string) => seriesCsv(dir, 200),
    args: ['--columns', 'value', '--seq-length', '14'],
    metric: /held-out MASE: (\d+\.\d+)/,
  },
  {
    task: 'anomaly',
    data: (dir: string) => anomalyCsv(dir, 300),
    args: ['--columns', 'a,b', '--seq-length', '12'],
    metric: /F1 (\d\.\d{3})/,
  },
];

describe.each(tasks)('recur train $task --model tdnn', ({ task, data, args, metric }) => {
  it(
    'should train a time-delay stack, eval to the reported metric, and resume bit-identically',
    async () => {
      const dir = await tempDir();
      const file = await data(dir);
      const train = (run: string, steps: number, extra: readonly string[] = []) =>
        recur(
          ['train', task, '--file', file, '--checkpoint-dir', run, ...TINY, ...args]
            .concat(['--max-steps', String(steps)])
            .concat(extra),
          dir,
        );
      const whole = await train('whole', 4);
      expect(whole.err).not.toMatch(/^error:/m);
      expect(whole.code).toBe(0);
      // Three layers unless --layers says otherwise: the contexts reach about a look-back.
      expect(whole.err).toMatch(/model: tdnn 3×8, [\d,]+ weights/);
      const evaluated = await recur(['eval', '--model', 'whole', '--file', file], dir);
      expect(evaluated.code).toBe(0);
      expect(Number(metric.exec(evaluated.out)?.[1])).toBe(Number(metric.exec(whole.out)?.[1]));
      const exported = await recur(['export', '--model', 'whole', '--format', 'onnx', '--out', 'onnx'], dir);
      expect(exported.code).toBe(1);
      expect(exported.err).toMatch(/its time-delay layers have no onnx counterpart/);
      expect((await train('split', 2)).code).toBe(0);
      const resumed = await train('split', 4, ['--resume']);
      expect(resumed.code).toBe(0);
      expect(resumed.err).toMatch(/resuming from step 2/);
      const reference = trainedState(await loadCheckpoint(join(dir, 'whole', 'model.ckpt')));
      expect(trainedState(await loadCheckpoint(join(dir, 'split', 'model.ckpt')))).toEqual(reference);
    },
    TIMEOUT,
  );
});

describe('recur train --model (refusals)', () => {
  it('should refuse --cell with --model tdnn, whose layers are not recurrent', async () => {
    const result = await recur(['train', 'forecast', '--model', 'tdnn', '--cell', 'gru'], await tempDir());
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/--cell does not apply to --model tdnn/);
  });

  it.each([
    ['g2p', 'tdnn'],
    ['classify', 'ctc'],
    ['char-lm', 'tdnn'],
  ])('should refuse %s --model %s, a model the task does not have', async (task, model) => {
    const result = await recur(['train', task, '--model', model], await tempDir());
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/--model/);
  });
});
