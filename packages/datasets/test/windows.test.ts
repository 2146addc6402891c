import { RecurError } from '@recur/core';
import { slidingWindows, timeSeries } from '@recur/datasets';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { useLeakChecks } from './helpers.js';

/** A series whose value names its own row and feature: row t, feature f holds 10·t + f. */
function labelled(time: number, features: number) {
  return timeSeries(Array.from({ length: time }, (_, t) => Array.from({ length: features }, (_, f) => 10 * t + f)));
}

describe('slidingWindows', () => {
  useLeakChecks();

  describe('coverage', () => {
    it('should read rows [s, s+lookBack) and predict the next horizon rows, windows in order by stride', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 60 }),
          fc.integer({ min: 1, max: 3 }),
          fc.integer({ min: 1, max: 10 }),
          fc.integer({ min: 0, max: 5 }),
          fc.integer({ min: 1, max: 4 }),
          (time, features, lookBack, horizon, stride) => {
            fc.pre(lookBack + horizon <= time);
            const w = slidingWindows(labelled(time, features), { lookBack, horizon, stride });
            expect(w.count).toBe(Math.floor((time - lookBack - horizon) / stride) + 1);
            expect(w.inputs.shape).toEqual([w.count, lookBack, features]);
            expect(w.targets.shape).toEqual([w.count, horizon, features]);
            for (let i = 0; i < w.count; i++) {
              const s = i * stride;
              expect(w.starts[i]).toBe(s);
              for (let k = 0; k < lookBack; k++) {
                for (let f = 0; f < features; f++)
                  expect(w.inputs.data[(i * lookBack + k) * features + f]).toBe(10 * (s + k) + f);
              }
              for (let h = 0; h < horizon; h++) {
                for (let f = 0; f < features; f++) {
                  expect(w.targets.data[(i * horizon + h) * features + f]).toBe(10 * (s + lookBack + h) + f);
                }
              }
            }
            // With stride 1 the windows cover the series: the last target is the last row.
            if (stride === 1 && horizon > 0)
              expect(w.targets.data[w.targets.data.length - 1]).toBe(10 * (time - 1) + features - 1);
          },
        ),
      );
    });

    it('should take only the chosen target features, in the order given', () => {
      const w = slidingWindows(labelled(5, 3), { lookBack: 2, horizon: 1, targetFeatures: [2, 0] });
      expect(w.targets.shape).toEqual([3, 1, 2]);
      expect(Array.from(w.targets.data)).toEqual([22, 20, 32, 30, 42, 40]);
    });
  });

  describe('bad input', () => {
    it('should refuse a window longer than the series, saying both lengths', () => {
      const error = (() => {
        try {
          slidingWindows(labelled(10, 1), { lookBack: 8, horizon: 3 });
        } catch (e) {
          return e as RecurError;
        }
      })();
      expect(error).toBeInstanceOf(RecurError);
      expect(error?.code).toBe('BAD_CONFIG');
      expect(error?.message).toBe(
        "options.lookBack + options.horizon: expected at most the series length 10, received '8 + 3 = 11'",
      );
    });

    it('should name bad options and series', () => {
      expect(() => slidingWindows(labelled(10, 2), { lookBack: 0 })).toThrow(
        /options\.lookBack: expected a positive integer/,
      );
      expect(() => slidingWindows(labelled(10, 2), { lookBack: 2, targetFeatures: [2] })).toThrow(
        /options\.targetFeatures: expected distinct feature indices in \[0, 2\)/,
      );
      expect(() => slidingWindows({ data: new Float32Array(3), shape: [2, 2] }, { lookBack: 1 })).toThrow(
        /series: expected a time series/,
      );
    });
  });
});

describe('timeSeries', () => {
  useLeakChecks();

  describe('construction', () => {
    it('should accept rows, a univariate array, or flat values with a feature count', () => {
      expect(
        timeSeries([
          [1, 2],
          [3, 4],
        ]).shape,
      ).toEqual([2, 2]);
      expect(timeSeries([1, 2, 3]).shape).toEqual([3, 1]);
      expect(timeSeries(new Float32Array(6), 3).shape).toEqual([2, 3]);
    });

    it('should refuse a non-numeric value, naming where it is', () => {
      expect(() =>
        timeSeries([
          [1, 2],
          [3, Number.NaN],
        ]),
      ).toThrow(/values\[1\]\[1\]: expected a finite number, received NaN/);
      expect(() => timeSeries([[1, 2], [3]])).toThrow(/values\[1\]: expected a row of 2 numbers/);
      expect(() => timeSeries([1, 2, 3], 2)).toThrow(/values: expected a length divisible by features = 2/);
    });
  });
});
