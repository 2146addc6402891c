import { type StateOfTheUnion, stateOfTheUnion } from '@recur/datasets';
import { beforeAll, describe, expect, it } from 'vitest';
import { useLeakChecks } from './helpers.js';

describe('stateOfTheUnion', () => {
  useLeakChecks();
  let sotu: StateOfTheUnion;
  beforeAll(async () => {
    sotu = await stateOfTheUnion();
  });

  describe('content', () => {
    it('should load all 233 addresses, 1790 to 2021, oldest first', () => {
      expect(sotu.speeches).toHaveLength(233);
      expect(sotu.speeches[0]).toMatchObject({ year: 1790, president: 'George Washington', party: 'none' });
      expect(sotu.speeches.at(-1)).toMatchObject({ year: 2021, president: 'Joseph R Biden' });
      expect(sotu.speeches.every((s, i) => i === 0 || s.year >= (sotu.speeches[i - 1]?.year ?? 0))).toBe(true);
      expect(sotu.speeches.every((s) => s.text.length > 1000)).toBe(true);
    });
  });

  describe('splits', () => {
    it('should split by year: 212 before 2001, 10 in 2001–2010, 11 from 2011', () => {
      expect([sotu.train.length, sotu.validation.length, sotu.test.length]).toEqual([212, 10, 11]);
      expect(Math.max(...sotu.train.map((s) => s.year))).toBe(2000);
      expect(sotu.validation.every((s) => s.year >= 2001 && s.year <= 2010)).toBe(true);
      expect(Math.min(...sotu.test.map((s) => s.year))).toBe(2011);
    });

    it('should move the boundaries on request and refuse a test year before validation', async () => {
      const custom = await stateOfTheUnion({ validationFrom: 1990, testFrom: 2000 });
      expect(custom.validation.map((s) => s.year)).toEqual([
        1990, 1991, 1992, 1993, 1994, 1995, 1996, 1997, 1998, 1999,
      ]);
      await expect(stateOfTheUnion({ validationFrom: 2000, testFrom: 1990 })).rejects.toThrow(
        /options\.testFrom: expected a year not before validationFrom/,
      );
    });
  });
});
