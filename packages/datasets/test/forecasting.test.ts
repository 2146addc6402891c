import { chronologicalSplit, prepareForecasting, StandardScaler, timeSeries } from '@recur/datasets';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { useLeakChecks } from './helpers.js';

const ramp = (time: number) => timeSeries(Array.from({ length: time }, (_, t) => [t, Math.sin(t)]));

describe('chronologicalSplit', () => {
  useLeakChecks();

  describe('partition', () => {
    it('should cut the series into consecutive blocks that cover it in order', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 3, max: 500 }),
          fc.double({ min: 0, max: 0.3, noNaN: true }),
          fc.double({ min: 0, max: 0.3, noNaN: true }),
          (time, validation, test) => {
            const series = ramp(time);
            const { train, validation: v, test: t } = chronologicalSplit(series, { validation, test });
            expect([train.start, train.end, v.start, v.end, t.start, t.end]).toEqual([
              0,
              train.end,
              train.end,
              v.end,
              v.end,
              time,
            ]);
            expect(train.end).toBeGreaterThan(0);
            const joined = [...train.series.data, ...v.series.data, ...t.series.data];
            expect(joined).toEqual(Array.from(series.data));
          },
        ),
      );
    });

    it('should refuse fractions that leave no training rows', () => {
      expect(() => chronologicalSplit(ramp(4), { validation: 0.5, test: 0.5 - 1e-9 })).toThrow(
        /options\.validation \+ options\.test: expected fractions that leave at least one of the 4 rows for training/,
      );
      expect(() => chronologicalSplit(ramp(4), { validation: 1 })).toThrow(
        /options\.validation: expected a number in \[0, 1\)/,
      );
    });
  });
});

describe('prepareForecasting', () => {
  useLeakChecks();

  describe('no look-ahead', () => {
    it('should fit the scaler on the training rows alone', () => {
      const series = ramp(100);
      const data = prepareForecasting(series, {
        window: { lookBack: 5, horizon: 2 },
        split: { validation: 0.2, test: 0.2 },
      });
      const alone = StandardScaler.fit(chronologicalSplit(series, { validation: 0.2, test: 0.2 }).train.series);
      expect(data.scaler?.toJSON()).toEqual(alone.toJSON());
    });

    it('should cut every window inside one split, so changing later rows never changes earlier splits', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 60, max: 200 }),
          fc.integer({ min: 1, max: 6 }),
          fc.integer({ min: 1, max: 3 }),
          (time, lookBack, horizon) => {
            const series = ramp(time);
            const options = { window: { lookBack, horizon }, split: { validation: 0.2, test: 0.2 } };
            const data = prepareForecasting(series, options);
            for (const name of ['train', 'validation', 'test'] as const) {
              const [start, end] = data.ranges[name];
              for (const s of data[name].starts) {
                expect(s).toBeGreaterThanOrEqual(start);
                expect(s + lookBack + horizon).toBeLessThanOrEqual(end);
              }
            }
            // Poison the test rows: train and validation windows and the scaler stay the same.
            const poisoned = { data: series.data.slice(), shape: series.shape };
            poisoned.data.fill(1e6, data.ranges.test[0] * 2);
            const again = prepareForecasting(poisoned, options);
            expect(again.train.inputs.data).toEqual(data.train.inputs.data);
            expect(again.validation.targets.data).toEqual(data.validation.targets.data);
            expect(again.scaler?.toJSON()).toEqual(data.scaler?.toJSON());
          },
        ),
      );
    });
  });

  describe('bad input', () => {
    it('should say which split is too short for the window', () => {
      expect(() =>
        prepareForecasting(ramp(40), { window: { lookBack: 6, horizon: 1 }, split: { validation: 0.1, test: 0.2 } }),
      ).toThrow(/options\.window \(validation split has 4 rows\): expected lookBack \+ horizon at most 4, received 7/);
      expect(() => prepareForecasting(ramp(40), { window: { lookBack: 2 }, scaler: 'robust' as 'none' })).toThrow(
        /options\.scaler: expected one of/,
      );
    });
  });
});
