import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Checkpoint } from '@recur/train';
import { loadCheckpoint, saveCheckpoint } from '@recur/train/node';
import { describe, expect, it } from 'vitest';
import { errorLines, recur } from '../helpers/cli.js';
import { pronunciationsCsv, tempDir, textFile } from '../helpers/fixtures.js';

const TINY = ['--units', '8', '--batch', '4', '--max-steps', '2', '--seq-length', '8', '--checkpoint-dir', 'run'];

type Config = Record<string, unknown> & { settings: Record<string, unknown>; preprocessing: Record<string, unknown> };

/**
 * A model trained on `data`, then its config edited by `craft` and saved again with a
 * valid checksum (the checksum proves integrity, not origin: anyone can recompute it).
 */
async function crafted(task: string, data: string, dir: string, craft: (config: Config) => void) {
  const trained = await recur(['train', task, '--file', data, ...TINY], dir);
  expect(trained.code).toBe(0);
  const path = join(dir, 'run', 'model.ckpt');
  const checkpoint = await loadCheckpoint(path);
  const config = JSON.parse(JSON.stringify(checkpoint.config)) as Config;
  craft(config);
  await saveCheckpoint(path, { ...checkpoint, config } as Checkpoint);
}

/** One error line matching `message`, exit 1, nothing on stdout. */
function expectOneLine(result: { code: number; out: string; err: string }, message: RegExp): void {
  const { errors, stack } = errorLines(result.err);
  expect(errors).toEqual([expect.stringMatching(message)]);
  expect(stack).toBe(false);
  expect(result.code).toBe(1);
  expect(result.out).toBe('');
}

describe('recur eval and generate with a crafted model file', () => {
  it('should never read a file the model names: a stored path is refused, and nothing of the file is printed', async () => {
    const dir = await tempDir();
    await crafted('char-lm', await textFile(dir), dir, (c) => {
      c.settings.source = { kind: 'file', path: '/etc/passwd' };
    });
    for (const command of [['eval'], ['generate']]) {
      const result = await recur([...command, '--model', 'run'], dir);
      expectOneLine(result, /model\.ckpt: settings\.source\.fileName: .*\(the model file is damaged or crafted\)/);
      expect(result.err).not.toMatch(/root:/);
    }
  });

  it('should read eval data only from the command line, even when the file the model was trained on is there', async () => {
    const dir = await tempDir();
    await crafted('char-lm', await textFile(dir), dir, () => {});
    expectOneLine(
      await recur(['eval', '--model', 'run'], dir),
      /was trained on a file \(book\.txt\): pass the data to evaluate on with --file <path>/,
    );
  });

  it('should refuse letters that are not a list, in one line', async () => {
    const dir = await tempDir();
    await crafted('g2p', await pronunciationsCsv(dir), dir, (c) => {
      c.preprocessing.letters = 'abc';
    });
    expectOneLine(
      await recur(['generate', '--model', 'run', '--prompt', 'bad'], dir),
      /model\.ckpt: preprocessing\.letters: .*expected array/i,
    );
  });

  it('should refuse a null tokenizer, in one line', async () => {
    const dir = await tempDir();
    await crafted('char-lm', await textFile(dir), dir, (c) => {
      c.preprocessing.tokenizer = null;
    });
    expectOneLine(await recur(['generate', '--model', 'run'], dir), /model\.ckpt: preprocessing\.tokenizer: /);
  });

  it('should refuse prototype-named keys anywhere in the config', async () => {
    const dir = await tempDir();
    await crafted('char-lm', await textFile(dir), dir, (c) => {
      Object.defineProperty(c.preprocessing, '__proto__', { value: { polluted: true }, enumerable: true });
    });
    expectOneLine(
      await recur(['generate', '--model', 'run'], dir),
      /the model config holds a key named 'preprocessing\.__proto__': refused/,
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('should refuse settings of the wrong type, naming the field', async () => {
    const dir = await tempDir();
    await crafted('char-lm', await textFile(dir), dir, (c) => {
      c.settings.units = '8';
    });
    expectOneLine(await recur(['generate', '--model', 'run'], dir), /settings\.units: .*expected number/i);
  });

  it('should generate from the model folder alone, the training file gone', async () => {
    const dir = await tempDir();
    const text = await textFile(dir);
    await crafted('char-lm', text, dir, () => {});
    await rm(text);
    const result = await recur(['generate', '--model', 'run', '--length', '10'], dir);
    expect(result.code).toBe(0);
    expect(result.err).not.toMatch(/--file/);
    expect(result.out.trimEnd().length).toBeGreaterThan(8);
  });
});
