import { MinMaxScaler, StandardScaler, scalerFromJSON, timeSeries } from '@recur/datasets';
import { expectClose } from '@recur/test-utils';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { useLeakChecks } from './helpers.js';

const rowsArb = fc.integer({ min: 1, max: 4 }).chain((features) =>
  fc.array(fc.array(fc.double({ min: -1e4, max: 1e4, noNaN: true }), { minLength: features, maxLength: features }), {
    minLength: 1,
    maxLength: 40,
  }),
);

describe('StandardScaler', () => {
  useLeakChecks();

  describe('fit / transform', () => {
    it('should give each feature zero mean and unit population variance on the data it was fitted on', () => {
      const series = timeSeries([
        [1, 10],
        [2, 20],
        [3, 30],
        [4, 40],
      ]);
      const scaled = StandardScaler.fit(series).transform(series);
      const column = (f: number) => [0, 1, 2, 3].map((t) => scaled.data[t * 2 + f] as number);
      for (const f of [0, 1]) {
        const xs = column(f);
        const mean = xs.reduce((a, b) => a + b) / 4;
        expectClose(mean, 0, { atol: 1e-6 });
        expectClose(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / 4, 1, { rtol: 1e-5 });
      }
    });

    it('should leave a constant feature centred and unscaled', () => {
      const scaler = StandardScaler.fit(timeSeries([[5], [5], [5]]));
      expect(Array.from(scaler.std)).toEqual([1]);
      expect(Array.from(scaler.transform(timeSeries([[7]])).data)).toEqual([2]);
    });
  });

  describe('inverseTransform', () => {
    it('should restore the original values', () => {
      fc.assert(
        fc.property(rowsArb, (rows) => {
          const series = timeSeries(rows);
          const scaler = StandardScaler.fit(series);
          const restored = scaler.inverseTransform(scaler.transform(series));
          expect(restored.shape).toEqual(series.shape);
          expectClose(restored.data, series.data, { rtol: 1e-4, atol: 1e-2 });
        }),
      );
    });

    it('should restore a subset of features, as in predictions of one target', () => {
      const series = timeSeries([
        [1, 100],
        [3, 300],
      ]);
      const scaler = StandardScaler.fit(series);
      const target = { data: Float32Array.from([1, -1]), shape: [1, 2, 1] as const };
      expectClose(scaler.inverseTransform(target, { features: [1] }).data, [300, 100], { rtol: 1e-6 });
    });
  });

  describe('toJSON / fromJSON', () => {
    it('should restore a scaler that transforms identically', () => {
      const series = timeSeries([
        [1, 2],
        [4, 8],
        [9, 1],
      ]);
      const scaler = StandardScaler.fit(series);
      const restored = scalerFromJSON(JSON.parse(JSON.stringify(scaler)));
      expect(Array.from(restored.transform(series).data)).toEqual(Array.from(scaler.transform(series).data));
      expect(() => scalerFromJSON({ kind: 'standard', mean: [0], std: [0] }, 'scaler.json')).toThrow(
        /scaler\.json: std: expected positive numbers/,
      );
      expect(() => scalerFromJSON({ kind: 'robust' }, 'scaler.json')).toThrow(
        /scaler\.json: kind: expected 'standard' or 'minMax'/,
      );
    });
  });

  describe('bad input', () => {
    it('should refuse data with a NaN or with the wrong number of features', () => {
      expect(() => StandardScaler.fit({ data: Float32Array.from([1, Number.NaN]), shape: [2, 1] })).toThrow(
        /data \(row 1, feature 0\): expected a finite number/,
      );
      const scaler = StandardScaler.fit(timeSeries([[1, 2]]));
      expect(() => scaler.transform(timeSeries([[1, 2, 3]]))).toThrow(/x: expected a last axis of 2 features/);
    });
  });
});

describe('MinMaxScaler', () => {
  useLeakChecks();

  describe('fit / transform', () => {
    it('should map the fitted range of each feature onto the target range', () => {
      const series = timeSeries([
        [0, -5],
        [10, 5],
      ]);
      const scaler = MinMaxScaler.fit(series, { range: [-1, 1] });
      expect(Array.from(scaler.transform(series).data)).toEqual([-1, -1, 1, 1]);
      expect(Array.from(scaler.transform(timeSeries([[5, 0]])).data)).toEqual([0, 0]);
    });
  });

  describe('inverseTransform', () => {
    it('should restore the original values', () => {
      fc.assert(
        fc.property(rowsArb, (rows) => {
          const series = timeSeries(rows);
          const scaler = MinMaxScaler.fit(series);
          expectClose(scaler.inverseTransform(scaler.transform(series)).data, series.data, { rtol: 1e-4, atol: 1e-2 });
          const restored = scalerFromJSON(JSON.parse(JSON.stringify(scaler)));
          expect(Array.from(restored.transform(series).data)).toEqual(Array.from(scaler.transform(series).data));
        }),
      );
    });
  });

  describe('bad input', () => {
    it('should refuse an empty range', () => {
      expect(() => MinMaxScaler.fit(timeSeries([1, 2]), { range: [1, 1] })).toThrow(
        /options\.range: expected two finite numbers/,
      );
    });
  });
});
