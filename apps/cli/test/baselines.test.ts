import { StandardScaler, timeSeries } from '@recur/datasets';
import { describe, expect, it } from 'vitest';
import { forecastWindows, lagForecast, seasonalNaive } from '../src/data/forecast-windows.js';
import { quantile, rollingZScores } from '../src/tasks/scores.js';

/** y_t = t + 1: every value names its own row. */
const ramp = (n: number) => timeSeries(Float32Array.from({ length: n }, (_, t) => t + 1));

describe('forecast windows', () => {
  describe('forecastWindows', () => {
    it('should feed each origin only rows before it (no look-ahead), and target the rows from it on', () => {
      const series = ramp(60);
      const scaler = StandardScaler.fit(series);
      const plan = { lookBack: 5, horizon: 3, lag: 7 };
      const w = forecastWindows(series, [30, 60], plan, scaler);
      expect(w.origins[0]).toBe(30);
      expect(w.origins[w.origins.length - 1]).toBe(57);
      w.origins.forEach((t, i) => {
        // The same series with everything from the origin on replaced: the inputs must not change.
        const poisoned = timeSeries(Float32Array.from(series.data, (v, row) => (row >= t ? -1000 * v : v)));
        const again = forecastWindows(poisoned, [t, t + 3], plan, scaler);
        const size = 5 * 2;
        expect(Array.from(again.inputs.data.subarray(0, size))).toEqual(
          Array.from(w.inputs.data.subarray(i * size, (i + 1) * size)),
        );
        expect(Array.from(again.base.subarray(0, 3))).toEqual(Array.from(w.base.subarray(i * 3, i * 3 + 3)));
        expect(Array.from(w.targets.subarray(i * 3, i * 3 + 3))).toEqual([t + 1, t + 2, t + 3]);
      });
    });

    it('should centre each input channel on its window mean', () => {
      const series = ramp(60);
      const w = forecastWindows(series, [30, 40], { lookBack: 5, horizon: 3, lag: 7 }, StandardScaler.fit(series));
      for (let c = 0; c < 2; c++) {
        let sum = 0;
        for (let s = 0; s < 5; s++) sum += w.inputs.data[s * 2 + c] as number;
        expect(sum).toBeCloseTo(0, 5);
      }
    });
  });

  describe('lagForecast', () => {
    it("should repeat last season's value at the recent level", () => {
      // A weekly pattern that doubles in level from one week to the next.
      const y = (t: number) => (1 + (t % 7)) * 2 ** Math.floor(t / 7);
      const plan = { lookBack: 7, horizon: 7, lag: 7 };
      for (let k = 0; k < 7; k++) expect(lagForecast(y, 28, k, plan)).toBeCloseTo(y(28 + k), 6);
    });
  });

  describe('seasonalNaive', () => {
    it('should forecast step k with the value m·⌈(k+1)/m⌉ rows before it', () => {
      const naive = seasonalNaive(ramp(40), Int32Array.of(20), 9, 7);
      // Steps 20…26 repeat rows 13…19; steps 27, 28 repeat rows 13, 14 (two seasons back).
      expect(Array.from(naive)).toEqual([14, 15, 16, 17, 18, 19, 20, 14, 15]);
    });
  });
});

describe('anomaly scores', () => {
  describe('rollingZScores', () => {
    it('should score a spike far above the noise of the window before it', () => {
      const values = Array.from({ length: 50 }, (_, t) => [Math.sin(t), t === 40 ? 10 : 0.1 * Math.cos(3 * t)]);
      const z = rollingZScores(timeSeries(values), 10);
      expect(z[5]).toBe(0);
      expect(z[40]).toBeGreaterThan(20);
      expect(Math.max(...Array.from(z.subarray(10, 40)))).toBeLessThan(5);
    });
  });

  describe('quantile', () => {
    it('should interpolate between order statistics as NumPy does', () => {
      expect(quantile([4, 1, 3, 2, 5], 0.5)).toBe(3);
      expect(quantile([1, 2, 3, 4], 0.995)).toBeCloseTo(3.985, 10);
      expect(quantile([], 0.9)).toBe(Number.POSITIVE_INFINITY);
    });
  });
});
