import { StandardScaler, timeSeries } from '@recur/datasets';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CALENDAR_COVARIATES, calendarCovariates } from '../src/data/calendar-covariates.js';
import { forecastWindows } from '../src/data/forecast-windows.js';

/** The names that hold on each date. */
function namesOf(dates: readonly string[]): string[][] {
  const { data, shape } = calendarCovariates(dates);
  return dates.map((_, row) => CALENDAR_COVARIATES.filter((_, c) => data[row * shape[1] + c] === 1));
}

describe('calendar covariates', () => {
  describe('calendarCovariates', () => {
    it('should flag Thanksgiving 1987 and the Friday after it, each with its weekday', () => {
      expect(namesOf(['1987-11-25', '1987-11-26', '1987-11-27'])).toEqual([
        ['wednesday'],
        ['thanksgiving', 'thursday'],
        ['thanksgiving-friday', 'friday'],
      ]);
    });

    it('should flag the days from Christmas Eve 1987 to 2 January 1988 and Labor Day 1988', () => {
      const dates = ['1987-12-23', '1987-12-24', '1987-12-25', '1987-12-26', '1987-12-30', '1987-12-31'];
      expect(namesOf([...dates, '1988-01-01', '1988-01-02', '1988-01-03', '1988-09-05'])).toEqual([
        ['wednesday'],
        ['christmas-eve', 'thursday'],
        ['christmas', 'friday'],
        ['christmas-week', 'saturday'],
        ['christmas-week', 'wednesday'],
        ['new-year-eve', 'thursday'],
        ['new-year', 'friday'],
        ['january-2', 'saturday'],
        ['sunday'],
        ['labor-day', 'monday'],
      ]);
    });

    it('should refuse a date the holiday calendar cannot place', () => {
      expect(() => calendarCovariates(['1987-02-30'])).toThrow(/date: expected a calendar date 'YYYY-MM-DD'/);
    });
  });

  describe('forecastWindows with a calendar', () => {
    const day = (row: number, c: number, covariates: number) => (row * covariates + c) / 1000;

    it('should give each look-back step the covariates of the days it shows, the last steps those of the days forecast', () => {
      fc.assert(
        fc.property(
          fc.record({
            lookBack: fc.integer({ min: 1, max: 12 }),
            horizon: fc.integer({ min: 1, max: 9 }),
            lag: fc.integer({ min: 1, max: 15 }),
            covariates: fc.integer({ min: 1, max: 4 }),
          }),
          ({ lookBack, horizon, lag, covariates }) => {
            const rows = 80;
            const series = timeSeries(Float32Array.from({ length: rows }, (_, t) => Math.sin(t) + t / 10));
            // Every covariate value names its row and channel.
            const calendar = {
              data: Float32Array.from({ length: rows * covariates }, (_, j) =>
                day(Math.floor(j / covariates), j % covariates, covariates),
              ),
              shape: [rows, covariates] as const,
            };
            const plan = { lookBack, horizon, lag };
            const scaler = StandardScaler.fit(series);
            const w = forecastWindows(series, [40, rows], plan, scaler, calendar);
            const plain = forecastWindows(series, [40, rows], plan, scaler);
            const channels = 2 + 2 * covariates;
            const shift = Math.min(horizon, lag);
            expect(w.inputs.shape).toEqual([plain.origins.length, lookBack, channels]);
            expect(Array.from(w.base)).toEqual(Array.from(plain.base));
            w.origins.forEach((t, i) => {
              for (let s = 0; s < lookBack; s++) {
                const at = (i * lookBack + s) * channels;
                const shown = t - lookBack + s + shift;
                for (let c = 0; c < covariates; c++) {
                  expect(w.inputs.data[at + 2 + c]).toBe(Math.fround(day(shown, c, covariates)));
                  expect(w.inputs.data[at + 2 + covariates + c]).toBe(Math.fround(day(shown - lag, c, covariates)));
                }
                // The series channels are the ones without a calendar, centred as before.
                const before = (i * lookBack + s) * 2;
                expect([w.inputs.data[at], w.inputs.data[at + 1]]).toEqual([
                  plain.inputs.data[before],
                  plain.inputs.data[before + 1],
                ]);
              }
              // With the horizon within the lag, the last steps carry exactly the days to forecast.
              if (horizon <= lag && horizon <= lookBack) {
                for (let k = 0; k < horizon; k++) {
                  const at = (i * lookBack + lookBack - horizon + k) * channels;
                  expect(w.inputs.data[at + 2]).toBe(Math.fround(day(t + k, 0, covariates)));
                }
              }
            });
          },
        ),
        { numRuns: 40 },
      );
    });
  });
});
