import { type SensorAnomalies, sensorAnomalies } from '@recur/datasets';
import { beforeAll, describe, expect, it } from 'vitest';
import { useLeakChecks } from './helpers.js';

const anomalies = (motes: SensorAnomalies['motes']) =>
  motes.reduce((n, m) => n + m.anomaly.reduce((a, b) => a + b, 0), 0);

describe('sensorAnomalies', () => {
  useLeakChecks();
  let data: SensorAnomalies;
  beforeAll(async () => {
    data = await sensorAnomalies();
  });

  describe('content', () => {
    it('should load 18,914 readings of 4 motes with 149 labelled anomalies', () => {
      expect(data.readings).toHaveLength(18_914);
      expect(data.readings.filter((r) => r.anomaly)).toHaveLength(149);
      expect(data.motes.map((m) => [m.mote, m.indoor, m.series.shape[0]])).toEqual([
        [1, true, 4417],
        [2, true, 4417],
        [3, false, 5039],
        [4, false, 5041],
      ]);
      expect(anomalies(data.motes)).toBe(149);
      expect(data.readings[0]).toEqual({
        mote: 1,
        reading: 1,
        indoor: true,
        humidity: 45.93,
        temperature: 27.97,
        anomaly: false,
      });
    });

    it('should lay out each mote as [time, humidity | temperature] in reading order', () => {
      const mote4 = data.readings.filter((r) => r.mote === 4);
      const series = data.motes[3]?.series;
      expect(series?.shape).toEqual([5041, 2]);
      expect(series?.data[2 * 100]).toBeCloseTo(mote4[100]?.humidity ?? Number.NaN, 4);
      expect(series?.data[2 * 100 + 1]).toBeCloseTo(mote4[100]?.temperature ?? Number.NaN, 4);
    });
  });

  describe('splits', () => {
    it('should train and validate on the normal motes 2 and 3 and test on motes 1 and 4, which hold every anomaly', () => {
      expect(data.train.map((m) => [m.mote, m.start, m.end])).toEqual([
        [2, 0, 3534],
        [3, 0, 4031],
      ]);
      expect(data.validation.map((m) => [m.mote, m.start, m.end])).toEqual([
        [2, 3534, 4417],
        [3, 4031, 5039],
      ]);
      expect(data.test.map((m) => m.mote)).toEqual([1, 4]);
      expect(anomalies(data.train) + anomalies(data.validation)).toBe(0);
      expect(anomalies(data.test)).toBe(149);
      expect(data.validation[0]?.series.data[0]).toBe(data.motes[1]?.series.data[2 * 3534]);
    });
  });
});
