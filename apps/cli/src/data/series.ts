import {
  type Float32Array2D,
  type Float32Array3D,
  sensorAnomalies,
  type TimeSeries,
  timeSeries,
  usBirths,
} from '@recur/datasets';
import { co2 } from '@recur/datasets/node';
import * as tf from '@tensorflow/tfjs-core';
import { CliError } from '../errors.js';
import type { DataSource } from '../settings.js';
import { calendarCovariates } from './calendar-covariates.js';
import { readCsvFile, splitInTime } from './files.js';

export interface SeriesSplits {
  /** Feature names; the first is the one forecast. */
  readonly columns: readonly string[];
  readonly train: TimeSeries;
  readonly validation: TimeSeries;
  readonly test: TimeSeries;
  /** Season of the data (7 for daily births, 12 for monthly CO2), when known. */
  readonly season: number | undefined;
  /** Lag of the forecaster's base forecast: 364 for births (the same weekday a year before, holidays and all). */
  readonly lag: number | undefined;
  /** Daily calendar covariates of every row, train to test (births; see `calendarCovariates`). */
  readonly calendar: Float32Array2D | undefined;
}

/** A CSV file's numeric `columns` as a series, rows in file order. */
async function csvSeries(path: string, columns: readonly string[] | undefined, labelColumn?: string) {
  if (columns === undefined || columns.length === 0) {
    throw new CliError(`give the numeric columns of ${path} to read with --columns <name,name,…>`);
  }
  const wanted = columns.map((name) => ({ name, option: '--columns' }));
  if (labelColumn !== undefined) wanted.push({ name: labelColumn, option: '--label-column' });
  const table = await readCsvFile(path, wanted, labelColumn === undefined ? columns : [...columns, labelColumn]);
  const values = table.rows.map((r) => columns.map((c) => r[c] as number));
  return {
    values,
    labels: labelColumn === undefined ? undefined : table.rows.map((r) => (r[labelColumn] as number) !== 0),
  };
}

export async function loadForecastSeries(source: DataSource): Promise<SeriesSplits> {
  if (source.kind === 'dataset') {
    const data = source.name === 'births' ? await usBirths() : await co2();
    return {
      columns: data.all.columns,
      train: data.train.series,
      validation: data.validation.series,
      test: data.test.series,
      season: source.name === 'births' ? 7 : 12,
      lag: source.name === 'births' ? 364 : 12,
      calendar: source.name === 'births' ? calendarCovariates(data.all.dates) : undefined,
    };
  }
  const { values } = await csvSeries(source.path, source.columns);
  const parts = splitInTime(values, { validation: 0.15, test: 0.15 });
  return {
    columns: source.columns ?? [],
    train: rowsSeries(parts.train, source.path),
    validation: rowsSeries(parts.validation, source.path),
    test: rowsSeries(parts.test, source.path),
    season: undefined,
    lag: undefined,
    calendar: undefined,
  };
}

export interface LabelledSeries {
  readonly series: TimeSeries;
  /** 1 where a reading is an anomaly. */
  readonly anomaly: Uint8Array;
}

export interface AnomalySplits {
  readonly columns: readonly string[];
  /** Normal behaviour to learn. */
  readonly train: readonly TimeSeries[];
  /** More normal behaviour, to set the alarm threshold on. */
  readonly validation: readonly TimeSeries[];
  /** Labelled series to find the anomalies in. */
  readonly test: readonly LabelledSeries[];
}

export async function loadAnomalySeries(source: DataSource): Promise<AnomalySplits> {
  if (source.kind === 'dataset') {
    const data = await sensorAnomalies();
    return {
      columns: data.features,
      train: data.train.map((m) => m.series),
      validation: data.validation.map((m) => m.series),
      test: data.test.map((m) => ({ series: m.series, anomaly: m.anomaly })),
    };
  }
  const labelColumn = source.labelColumn ?? 'anomaly';
  const { values, labels } = await csvSeries(source.path, source.columns, labelColumn);
  const rows = values.map((v, i) => ({ v, a: labels?.[i] === true }));
  const parts = splitInTime(rows, { validation: 0.2, test: 0.2 });
  // Training and threshold rows must be normal: labelled anomalies there are left out.
  const normal = (part: typeof rows) =>
    rowsSeries(
      part.filter((r) => !r.a).map((r) => r.v),
      source.path,
    );
  return {
    columns: source.columns ?? [],
    train: [normal(parts.train)],
    validation: [normal(parts.validation)],
    test: [
      {
        series: rowsSeries(
          parts.test.map((r) => r.v),
          source.path,
        ),
        anomaly: Uint8Array.from(parts.test, (r) => (r.a ? 1 : 0)),
      },
    ],
  };
}

function rowsSeries(rows: readonly (readonly number[])[], path: string): TimeSeries {
  if (rows.length === 0)
    throw new CliError(`${path} has too few rows to split into training, validation and test parts`);
  return timeSeries(rows);
}

/** Rows `indices` of windowed data as a `[n, time, features]` tensor (the caller owns it). */
export function gather(windows: Float32Array3D, indices: ArrayLike<number>): tf.Tensor3D {
  const [, time, features] = windows.shape;
  const size = time * features;
  const out = new Float32Array(indices.length * size);
  for (let i = 0; i < indices.length; i++) {
    const at = (indices[i] as number) * size;
    out.set(windows.data.subarray(at, at + size), i * size);
  }
  return tf.tensor3d(out, [indices.length, time, features]);
}
