import { assertPositiveInteger, badArgument } from '@recur/core';
import type { Float32Array2D } from './arrays.js';
import { isArrayLike } from './internal/check.js';

/** A (multivariate) series: `[time, features]`, row-major, oldest row first. */
export type TimeSeries = Float32Array2D;

/**
 * Builds a {@link TimeSeries} from rows (`number[][]`, one per time step), from a univariate
 * `number[]`, or from flat values with a feature count. Every value must be finite: a NaN
 * in a series poisons every window and scaler that touches it.
 */
export function timeSeries(values: readonly (readonly number[])[] | ArrayLike<number>, features?: number): TimeSeries {
  if (!isArrayLike(values)) throw badArgument('BAD_DATA', 'values', 'an array of numbers or of rows', values);
  if (values.length > 0 && isArrayLike(values[0])) {
    if (features !== undefined) throw badArgument('BAD_CONFIG', 'features', 'undefined when values are rows', features);
    const rows = values as readonly (readonly number[])[];
    const width = rows[0]?.length ?? 0;
    if (width === 0) throw badArgument('BAD_DATA', 'values[0]', 'a non-empty row', rows[0]);
    const data = new Float32Array(rows.length * width);
    rows.forEach((row, t) => {
      if (!isArrayLike(row) || row.length !== width) {
        throw badArgument('BAD_DATA', `values[${t}]`, `a row of ${width} numbers`, row);
      }
      for (let f = 0; f < width; f++) data[t * width + f] = finite(row[f], `values[${t}][${f}]`);
    });
    return { data, shape: [rows.length, width] };
  }
  const width = features ?? 1;
  assertPositiveInteger(width, 'features');
  if (values.length % width !== 0) {
    throw badArgument('BAD_DATA', 'values', `a length divisible by features = ${width}`, `length ${values.length}`);
  }
  const data = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) data[i] = finite(values[i], `values[${i}]`);
  return { data, shape: [values.length / width, width] };
}

/** Rows `[start, end)` of a series, copied. */
export function sliceSeries(series: TimeSeries, start: number, end: number): TimeSeries {
  const [, features] = series.shape;
  return { data: series.data.slice(start * features, end * features), shape: [end - start, features] };
}

/** Checks that `series` is a well-formed {@link TimeSeries}. */
export function assertTimeSeries(series: unknown, argument: string): asserts series is TimeSeries {
  const s = series as Partial<TimeSeries> | null;
  const shape = s?.shape;
  const ok =
    s !== null &&
    typeof s === 'object' &&
    s.data instanceof Float32Array &&
    Array.isArray(shape) &&
    shape.length === 2 &&
    Number.isInteger(shape[0]) &&
    (shape[0] as number) >= 0 &&
    Number.isInteger(shape[1]) &&
    (shape[1] as number) > 0 &&
    s.data.length === (shape[0] as number) * (shape[1] as number);
  if (!ok)
    throw badArgument('BAD_DATA', argument, 'a time series {data: Float32Array, shape: [time, features]}', series);
}

function finite(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw badArgument('BAD_DATA', where, 'a finite number', value);
  return value;
}
