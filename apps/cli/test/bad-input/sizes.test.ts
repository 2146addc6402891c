import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { errorLines, recur } from '../helpers/cli.js';
import { tempDir, textFile } from '../helpers/fixtures.js';

async function refused(args: readonly string[], code: number, message: RegExp): Promise<void> {
  const dir = await tempDir();
  const text = await textFile(dir);
  const started = performance.now();
  const result = await recur(['train', 'char-lm', '--file', text, '--max-steps', '1', ...args], dir);
  const { errors, stack } = errorLines(result.err);
  expect(errors).toEqual([expect.stringMatching(message)]);
  expect(stack).toBe(false);
  expect(result.code).toBe(code);
  // Refused before any weight was allocated or file written: quickly, and nothing on disk.
  expect(performance.now() - started).toBeLessThan(5_000);
  expect(await readdir(dir)).not.toContain('recur-runs');
}

describe('recur train with sizes past the limits', () => {
  it('should refuse --units above 65,536 (usage error)', async () => {
    await refused(['--units', '100000'], 2, /--units 100000: .*65536/);
  });

  it('should refuse an embedding dimension of 1e9 (usage error)', async () => {
    await refused(['--embedding-dim', '1e9'], 2, /--embedding-dim 1000000000: .*65536/);
  });

  it('should refuse --layers 100000 (usage error)', async () => {
    await refused(['--layers', '100000'], 2, /--layers 100000: .*64/);
  });

  it('should refuse a model past the parameter limit, saying the memory it would need', async () => {
    await refused(
      ['--units', '4096', '--layers', '4', '--batch', '1', '--seq-length', '8'],
      1,
      /the model would have 470,\d{3},\d{3} weights \(about 7\.0 GiB to train with Adam\); the limit is 25,000,000: use smaller --units, --layers or --embedding-dim/,
    );
  });

  it('should refuse a flag that does not apply to the task', async () => {
    await refused(['--horizon', '3'], 2, /--horizon does not apply to char-lm/);
  });
});
