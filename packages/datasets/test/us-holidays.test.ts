import { US_HOLIDAYS, usHoliday } from '@recur/datasets';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { caught, useLeakChecks } from './helpers.js';

/** Every date of `year`, in order. */
function daysOf(year: number): string[] {
  const days: string[] = [];
  for (let t = Date.UTC(year, 0, 1); new Date(t).getUTCFullYear() === year; t += 86_400_000)
    days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}

describe('usHoliday', () => {
  useLeakChecks();

  it('should name the holidays of 1987 and 1988 on the dates the calendars give', () => {
    const expected = {
      '1987-01-01': 'new-year',
      '1987-05-25': 'memorial-day',
      '1987-07-04': 'independence-day',
      '1987-09-07': 'labor-day',
      '1987-11-26': 'thanksgiving',
      '1987-12-25': 'christmas',
      '1988-01-01': 'new-year',
      '1988-05-30': 'memorial-day',
      '1988-07-04': 'independence-day',
      '1988-09-05': 'labor-day',
      '1988-11-24': 'thanksgiving',
      '1988-12-25': 'christmas',
    };
    const found = Object.fromEntries(
      [...daysOf(1987), ...daysOf(1988)].flatMap((d) => {
        const h = usHoliday(d);
        return h === undefined ? [] : [[d, h]];
      }),
    );
    expect(found).toEqual(expected);
  });

  it('should keep Memorial Day on 30 May until 1970 and move it to the last Monday of May from 1971', () => {
    expect(usHoliday('1969-05-30')).toBe('memorial-day');
    expect(usHoliday('1970-05-30')).toBe('memorial-day');
    expect(usHoliday('1970-05-25')).toBeUndefined();
    expect(usHoliday('1971-05-31')).toBe('memorial-day');
    expect(usHoliday('1971-05-30')).toBeUndefined();
  });

  it('should find each holiday exactly once a year, the moving ones on their weekday and week', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1942, max: 2400 }), (year) => {
        const found = daysOf(year).flatMap((d) => {
          const h = usHoliday(d);
          return h === undefined ? [] : [{ h, d: new Date(`${d}T00:00:00Z`) }];
        });
        expect(found.map((f) => f.h)).toEqual([...US_HOLIDAYS]);
        const at = (name: string) => found.find((f) => f.h === name)?.d as Date;
        // Labor Day: the Monday in 1–7 September; Thanksgiving: the Thursday in 22–28 November.
        expect([at('labor-day').getUTCDay(), at('labor-day').getUTCDate() <= 7]).toEqual([1, true]);
        expect([at('thanksgiving').getUTCDay(), Math.ceil(at('thanksgiving').getUTCDate() / 7)]).toEqual([4, 4]);
        if (year >= 1971)
          expect([at('memorial-day').getUTCDay(), at('memorial-day').getUTCDate() > 31 - 7]).toEqual([1, true]);
      }),
      { numRuns: 60 },
    );
  });

  it('should refuse what is not a calendar date from 1942 on', async () => {
    for (const bad of ['1987-02-29', '1988-13-01', '1988-00-10', '1988-1-5', '1941-12-25', 19880101]) {
      const error = await caught(() => usHoliday(bad as string));
      expect(error.code).toBe('BAD_DATA');
      expect(error.message).toMatch(/date: expected a calendar date 'YYYY-MM-DD' in 1942 or later/);
    }
    expect(usHoliday('1988-02-29')).toBeUndefined();
  });
});
