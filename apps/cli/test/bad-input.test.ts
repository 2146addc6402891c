import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CliResult, errorLines, recur } from './helpers/cli.js';
import { classifyCsv, tempDir, textFile } from './helpers/fixtures.js';

const TINY = ['--units', '8', '--batch', '4', '--max-steps', '2', '--seq-length', '8'];

/** One error line matching `message`, no stack trace, the exit code, and no model file written. */
async function expectRefused(result: CliResult, code: number, message: RegExp, dir: string): Promise<void> {
  const { errors, stack } = errorLines(result.err);
  expect(errors).toHaveLength(1);
  expect(errors[0]).toMatch(message);
  expect(stack).toBe(false);
  expect(result.code).toBe(code);
  expect(result.out).toBe('');
  expect(await readdir(dir)).not.toContain('recur-runs');
}

describe('recur with bad input', () => {
  it('should name the tasks when the task is unknown (usage error, exit 2)', async () => {
    const dir = await tempDir();
    const result = await recur(['train', 'translate'], dir);
    await expectRefused(
      result,
      2,
      /unknown task 'translate': choose one of char-lm, classify, forecast, anomaly, g2p/,
      dir,
    );
  });

  it("should name the task's datasets when the dataset is unknown or does not fit", async () => {
    const dir = await tempDir();
    await expectRefused(
      await recur(['train', 'char-lm', '--dataset', 'hamlet'], dir),
      2,
      /unknown dataset 'hamlet': for char-lm choose --dataset moby-dick \| sotu/,
      dir,
    );
    await expectRefused(
      await recur(['train', 'forecast', '--dataset', 'spam'], dir),
      2,
      /dataset 'spam' does not fit task forecast: choose --dataset births \| co2/,
      dir,
    );
  });

  it('should say which file is missing', async () => {
    const dir = await tempDir();
    const result = await recur(['train', 'char-lm', '--file', 'nowhere.txt', ...TINY], dir);
    await expectRefused(result, 1, /file not found: .*nowhere\.txt \(check the path given to --file\)/, dir);
  });

  it('should say the file is empty', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'empty.csv'), '');
    const result = await recur(['train', 'classify', '--file', 'empty.csv', ...TINY], dir);
    await expectRefused(result, 1, /empty\.csv is empty: give --file a file with data in it/, dir);
  });

  it('should list the columns a CSV has when the named one is missing', async () => {
    const dir = await tempDir();
    const csv = await classifyCsv(dir);
    const result = await recur(['train', 'classify', '--file', csv, '--label-column', 'category', ...TINY], dir);
    await expectRefused(
      result,
      1,
      /has no column 'category' \(its columns: text, label\): pass --label-column <one of them>/,
      dir,
    );
  });

  it('should reject an option value in one line (usage error, exit 2)', async () => {
    const dir = await tempDir();
    const result = await recur(['train', 'char-lm', '--units', 'many'], dir);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(
      /error: option '--units <n>' argument 'many' is invalid\. expected a positive integer\./,
    );
    const cell = await recur(['train', 'char-lm', '--cell', 'transformer'], dir);
    expect(cell.code).toBe(2);
    expect(cell.err).toMatch(/Allowed choices are lstm, gru, elman/);
  });

  it('should refuse to resume from a checkpoint of another model shape, leaving it as it was', async () => {
    const dir = await tempDir();
    const text = await textFile(dir);
    const first = await recur(['train', 'char-lm', '--file', text, '--checkpoint-dir', 'run', ...TINY], dir);
    expect(first.code).toBe(0);
    const path = join(dir, 'run', 'model.ckpt');
    const before = await readFile(path);
    const result = await recur(
      ['train', 'char-lm', '--file', text, '--checkpoint-dir', 'run', ...TINY, '--units', '16', '--resume'],
      dir,
    );
    const { errors, stack } = errorLines(result.err);
    expect(errors).toEqual([
      expect.stringMatching(
        /is a checkpoint from another model shape \(--units 8, this run asks for 16\): resume with --units 8, or drop --resume/,
      ),
    ]);
    expect(stack).toBe(false);
    expect(result.code).toBe(1);
    expect((await readFile(path)).equals(before)).toBe(true);
    expect(await readdir(join(dir, 'run'))).toEqual(['model.ckpt']);
  });

  it('should say when there is no model to evaluate, or the file is not one', async () => {
    const dir = await tempDir();
    await expectRefused(
      await recur(['eval', '--model', 'missing'], dir),
      1,
      /no model file at .*missing\/model\.ckpt: train one with 'recur train <task>'/,
      dir,
    );
    await writeFile(join(dir, 'junk.ckpt'), 'not a checkpoint at all, just text that is long enough to have a header');
    await expectRefused(
      await recur(['generate', '--model', 'junk.ckpt'], dir),
      1,
      /junk\.ckpt: checkpoint is corrupt or not a Recur checkpoint: wrong magic bytes/,
      dir,
    );
  });

  it('should print the stack trace only with --verbose', async () => {
    const dir = await tempDir();
    const result = await recur(['train', 'char-lm', '--file', 'nowhere.txt', '--verbose'], dir);
    expect(result.code).toBe(1);
    expect(errorLines(result.err).stack).toBe(true);
  });
});
