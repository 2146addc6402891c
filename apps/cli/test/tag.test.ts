import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { recur } from './helpers/cli.js';
import { tempDir } from './helpers/fixtures.js';

const TIMEOUT = 120_000;
const TINY = ['--units', '8', '--embedding-dim', '8', '--batch', '8', '--max-steps', '3', '--eval-limit', '40'];

describe('recur train tag', () => {
  it(
    'should tag Brown with universal tags, reporting token and unseen-word accuracy beside the most-frequent-tag baseline',
    async () => {
      const dir = await tempDir();
      const train = await recur(['train', 'tag', '--dataset', 'brown', '--checkpoint-dir', 'run', ...TINY], dir);
      expect(train.err).toMatch(
        /brown \(universal tags, 12\): 928,577 training \/ 116,117 validation \/ 116,498 test tokens/,
      );
      expect(train.err).toMatch(/softmax output/);
      expect(train.err).not.toMatch(/^error/m);
      expect(train.code).toBe(0);
      expect(train.out).toMatch(
        /^token accuracy \d+\.\d\d% \(most frequent tag: \d+\.\d\d%\) over [\d,]+ test tokens in 50 held-out documents$/m,
      );
      expect(train.out).toMatch(
        /^unseen words +\d+\.\d\d% \(most frequent tag: \d+\.\d\d%\) over [\d,]+ tokens never seen/m,
      );
      const evaluated = await recur(['eval', '--model', 'run', '--limit', '40', '--predictions', 'tags.tsv'], dir);
      expect(evaluated.code).toBe(0);
      expect(evaluated.out.split('\n')[0]).toBe(train.out.split('\n')[0]);
      // One row per test token, whose agreement is the reported token accuracy.
      const [header, ...rows] = (await readFile(join(dir, 'tags.tsv'), 'utf8')).trimEnd().split('\n');
      expect(header).toBe('sentence\tposition\tword\ttag\tpredicted');
      const cells = rows.map((r) => r.split('\t'));
      expect(cells.length).toBe(Number(/over ([\d,]+) test tokens/.exec(evaluated.out)?.[1]?.replace(/,/g, '')));
      const accuracy = Number(/^token accuracy (\d+\.\d\d)%/m.exec(evaluated.out)?.[1]);
      expect(accuracy).toBeCloseTo((100 * cells.filter((c) => c[3] === c[4]).length) / cells.length, 2);
    },
    TIMEOUT,
  );

  it(
    'should train a CRF output with --crf, and on the full Brown tagset with --tagset brown',
    async () => {
      const dir = await tempDir();
      const train = await recur(
        ['train', 'tag', '--dataset', 'brown', '--crf', '--checkpoint-dir', 'run', ...TINY],
        dir,
      );
      expect(train.err).toMatch(/brown \(universal tags, 12\): .* CRF output/);
      expect(train.code).toBe(0);
      expect(train.out).toMatch(/^token accuracy \d+\.\d\d% \(most frequent tag: \d+\.\d\d%\)/m);
      const full = await recur(
        ['train', 'tag', '--dataset', 'brown', '--tagset', 'brown', '--checkpoint-dir', 'full', ...TINY],
        dir,
      );
      expect(full.err).toMatch(/brown \(brown tags, 4\d\d\): .* softmax output/);
      expect(full.code).toBe(0);
      expect(full.out).toMatch(/^token accuracy \d+\.\d\d% \(most frequent tag: \d+\.\d\d%\)/m);
    },
    TIMEOUT,
  );

  it('should refuse --crf and --tagset for other tasks, and --cell or --layers the tagger does not have', async () => {
    const dir = await tempDir();
    const crf = await recur(['train', 'g2p', '--crf'], dir);
    expect(crf.code).toBe(2);
    expect(crf.err).toMatch(/--crf does not apply to g2p/);
    const tagset = await recur(['train', 'char-lm', '--tagset', 'brown'], dir);
    expect(tagset.code).toBe(2);
    expect(tagset.err).toMatch(/--tagset does not apply to char-lm/);
    const cell = await recur(['train', 'tag', '--cell', 'gru'], dir);
    expect(cell.code).toBe(2);
    expect(cell.err).toMatch(/--cell gru/);
    const layers = await recur(['train', 'tag', '--layers', '2'], dir);
    expect(layers.code).toBe(2);
    expect(layers.err).toMatch(/--layers 2/);
  });
});
