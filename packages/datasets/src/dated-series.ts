import { badArgument } from '@recur/core';
import { sliceSeries, type TimeSeries } from './time-series.js';

/** A series with an ISO date ('YYYY-MM-DD') per row: rows `[start, end)` of a data set. */
export interface DatedSeries {
  readonly dates: readonly string[];
  /** `[dates.length, columns.length]`. */
  readonly series: TimeSeries;
  readonly columns: readonly string[];
  readonly start: number;
  readonly end: number;
}

export interface DatedSplits {
  readonly all: DatedSeries;
  readonly train: DatedSeries;
  readonly validation: DatedSeries;
  readonly test: DatedSeries;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Splits a dated series in time order at two dates: rows before `validationFrom` are
 * train, rows from `testFrom` on are test. Dates must be increasing.
 */
export function splitByDate(
  all: DatedSeries,
  validationFrom: string,
  testFrom: string,
  argument = 'options',
): DatedSplits {
  checkSplitDates(validationFrom, testFrom, argument);
  const firstAtOrAfter = (date: string) => {
    const i = all.dates.findIndex((d) => d >= date);
    return i === -1 ? all.dates.length : i;
  };
  const v = firstAtOrAfter(validationFrom);
  const t = firstAtOrAfter(testFrom);
  const part = (start: number, end: number): DatedSeries => ({
    dates: all.dates.slice(start, end),
    series: sliceSeries(all.series, start, end),
    columns: all.columns,
    start: all.start + start,
    end: all.start + end,
  });
  return { all, train: part(0, v), validation: part(v, t), test: part(t, all.dates.length) };
}

/** Checks two split dates: ISO 'YYYY-MM-DD', the first before the second. */
export function checkSplitDates(validationFrom: unknown, testFrom: unknown, argument = 'options'): void {
  for (const [name, d] of [
    ['validationFrom', validationFrom],
    ['testFrom', testFrom],
  ] as const) {
    if (typeof d !== 'string' || !ISO_DATE.test(d))
      throw badArgument('BAD_CONFIG', `${argument}.${name}`, "a date 'YYYY-MM-DD'", d);
  }
  if (!((validationFrom as string) < (testFrom as string))) {
    throw badArgument(
      'BAD_CONFIG',
      `${argument}.testFrom`,
      `a date after validationFrom (${validationFrom})`,
      testFrom,
    );
  }
}

export function isoDate(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}
