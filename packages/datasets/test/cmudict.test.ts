import { type Cmudict, cmudict } from '@recur/datasets';
import { beforeAll, describe, expect, it } from 'vitest';
import { useLeakChecks } from './helpers.js';

describe('cmudict', () => {
  useLeakChecks();
  let dict: Cmudict;
  beforeAll(async () => {
    dict = await cmudict();
  });

  describe('content', () => {
    it('should give 133,783 word → phonemes pairs: the 133,784 entries less one garbled spelling', () => {
      expect(dict.pairs).toHaveLength(133_784 - 1);
      expect(dict.pairs.filter((p) => p.variant > 0)).toHaveLength(8_779);
      expect(new Set(dict.pairs.map((p) => p.word)).size).toBe(125_004);
      expect(dict.pairs.some((p) => p.word.includes('\uFFFD'))).toBe(false);
    });

    it('should split each pronunciation into ARPAbet symbols and number the alternates', () => {
      const hello = dict.pairs.filter((p) => p.word === 'HELLO');
      expect(hello).toEqual([
        { word: 'HELLO', phonemes: ['HH', 'AH0', 'L', 'OW1'], variant: 0 },
        { word: 'HELLO', phonemes: ['HH', 'EH0', 'L', 'OW1'], variant: 1 },
      ]);
      expect(dict.phonemes).toHaveLength(69);
      expect(dict.graphemes).toContain("'");
    });
  });

  describe('splits', () => {
    it('should split by word, 120,435 / 6,647 / 6,701 pairs, every alternate beside its word', () => {
      expect([dict.train.length, dict.validation.length, dict.test.length]).toEqual([120_435, 6_647, 6_701]);
      const splitOf = new Map<string, string>();
      const straddling: string[] = [];
      for (const name of ['train', 'validation', 'test'] as const) {
        for (const p of dict[name]) {
          if ((splitOf.get(p.word) ?? name) !== name) straddling.push(p.word);
          splitOf.set(p.word, name);
        }
      }
      expect(straddling).toEqual([]);
      expect(splitOf.size).toBe(125_004);
    });

    it('should keep only first pronunciations and drop stress on request, with the same word split', async () => {
      const plain = await cmudict({ alternates: 'first', stress: false });
      expect(plain.pairs).toHaveLength(125_004);
      expect(plain.pairs.every((p) => p.variant === 0 && p.phonemes.every((s) => !/\d/.test(s)))).toBe(true);
      expect(plain.phonemes).toHaveLength(39);
      const testWords = new Set(dict.test.map((p) => p.word));
      expect(plain.test.every((p) => testWords.has(p.word))).toBe(true);
      expect(plain.test).toHaveLength(testWords.size);
    });
  });

  describe('bad input', () => {
    it('should name bad options and malformed entries', async () => {
      await expect(cmudict({ alternates: 'some' as 'all' })).rejects.toThrow(
        /options\.alternates: expected one of 'all', 'first'/,
      );
      const broken = async () => ({ default: () => ({ CAT: 'K AE1 T', DOG: 42 }) });
      await expect(cmudict({ importModule: broken })).rejects.toThrow(
        /@stdlib\/datasets-cmudict entry 'DOG': expected WORD or WORD\(n\) mapped to phonemes/,
      );
    });
  });
});
