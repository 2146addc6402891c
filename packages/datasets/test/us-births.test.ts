import { type UsBirths, usBirths } from '@recur/datasets';
import { beforeAll, describe, expect, it } from 'vitest';
import { useLeakChecks } from './helpers.js';

describe('usBirths', () => {
  useLeakChecks();
  let births: UsBirths;
  beforeAll(async () => {
    births = await usBirths();
  });

  describe('content', () => {
    it('should give 7,305 consecutive days from 1969-01-01 to 1988-12-31 with matching weekdays', () => {
      const { dates } = births.all;
      expect(dates).toHaveLength(7305);
      expect([dates[0], dates.at(-1)]).toEqual(['1969-01-01', '1988-12-31']);
      const day = 86_400_000;
      dates.forEach((d, i) => {
        const time = Date.parse(`${d}T00:00:00Z`);
        expect(time).toBe(Date.parse('1969-01-01T00:00:00Z') + i * day);
        expect(births.dayOfWeek[i]).toBe(((new Date(time).getUTCDay() + 6) % 7) + 1);
      });
      expect(births.all.series.shape).toEqual([7305, 1]);
      expect(births.all.series.data[0]).toBe(8486);
    });
  });

  describe('splits', () => {
    it('should split in time order: 1969–1984 (5,844 days), 1985–1986 (730), 1987–1988 (731)', () => {
      const { train, validation, test } = births;
      expect([train.dates.length, validation.dates.length, test.dates.length]).toEqual([5844, 730, 731]);
      expect([train.dates.at(-1), validation.dates[0], validation.dates.at(-1), test.dates[0]]).toEqual([
        '1984-12-31',
        '1985-01-01',
        '1986-12-31',
        '1987-01-01',
      ]);
      expect([validation.start, validation.end]).toEqual([5844, 6574]);
      expect(Array.from(validation.series.data)).toEqual(Array.from(births.all.series.data.subarray(5844, 6574)));
    });

    it('should refuse split dates that are not ISO dates in order', async () => {
      await expect(usBirths({ validationFrom: '1985' })).rejects.toThrow(
        /options\.validationFrom: expected a date 'YYYY-MM-DD'/,
      );
      await expect(usBirths({ validationFrom: '1985-01-01', testFrom: '1980-01-01' })).rejects.toThrow(
        /options\.testFrom: expected a date after validationFrom/,
      );
    });
  });
});
