import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cmudict } from '@recur/datasets';
import { describe, expect, it } from 'vitest';
import { loadPronunciations, pairsOf } from '../src/data/pronunciations.js';
import { tempDir } from './helpers/fixtures.js';

describe('loadPronunciations', () => {
  it("should keep CMUdict's word split and first pronunciations as before, with every alternate beside them", async () => {
    const data = await loadPronunciations({ kind: 'dataset', name: 'cmudict' });
    const first = await cmudict({ alternates: 'first', stress: false });
    for (const split of ['train', 'validation', 'test'] as const) {
      // The quick preset trains on exactly the pairs, in the order, that it did before.
      expect(pairsOf(data[split], false)).toEqual(
        first[split].map((p) => ({ word: p.word.toLowerCase(), phonemes: p.phonemes })),
      );
    }
    expect(data.test).toHaveLength(6288);
    expect(pairsOf(data.test, true)).toHaveLength(6701);
    const words = (split: readonly { word: string }[]) => new Set(split.map((e) => e.word));
    const train = words(data.train);
    expect([...words(data.test)].some((w) => train.has(w))).toBe(false);
    expect(data.train.find((e) => e.word === 'tomato')?.pronunciations.map((p) => p.join(' '))).toEqual([
      'T AH M EY T OW',
      'T AH M AA T OW',
    ]);
  }, 60_000);

  it("should gather a file's rows of one word as its pronunciations and split by word", async () => {
    const dir = await tempDir();
    const lines = ['word,phonemes'];
    for (let i = 0; i < 20; i++) {
      lines.push(`w${i},W ${i}`);
      if (i % 2 === 1) lines.push(`W${i},V ${i}`);
    }
    const path = join(dir, 'p.csv');
    await writeFile(path, `${lines.join('\n')}\n`);
    const data = await loadPronunciations({ kind: 'file', path });
    expect(data.test.map((e) => e.word)).toEqual(['w9', 'w19']);
    expect(data.test[0]?.pronunciations).toEqual([
      ['W', '9'],
      ['V', '9'],
    ]);
    expect(data.train).toHaveLength(16);
    expect(pairsOf(data.train, true)).toHaveLength(16 + 8);
  });
});
