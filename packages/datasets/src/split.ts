import { assertFraction, badArgument } from '@recur/core';
import { optionsRecord } from './internal/check.js';
import { assertTimeSeries, sliceSeries, type TimeSeries } from './time-series.js';

export interface SplitFractions {
  /** Fraction of rows for validation, taken right before the test rows. Default 0.15. */
  readonly validation?: number;
  /** Fraction of rows for test, taken from the end. Default 0.15. */
  readonly test?: number;
}

/** Rows `[start, end)` of the original series, and those rows. */
export interface SeriesPart {
  readonly series: TimeSeries;
  readonly start: number;
  readonly end: number;
}

export interface ChronologicalSplit {
  readonly train: SeriesPart;
  readonly validation: SeriesPart;
  readonly test: SeriesPart;
}

/**
 * Train, validation and test as consecutive blocks in time order (never shuffled): a model
 * is then always validated on data later than any it trained on, as it will be used.
 * Sizes are rounded to whole rows; train must keep at least one.
 */
export function chronologicalSplit(series: TimeSeries, options?: SplitFractions): ChronologicalSplit {
  assertTimeSeries(series, 'series');
  const o = optionsRecord(options, 'options');
  const validation = o.validation ?? 0.15;
  const test = o.test ?? 0.15;
  assertFraction(validation, 'options.validation');
  assertFraction(test, 'options.test');
  const time = series.shape[0];
  const testStart = time - Math.round(time * test);
  const validationStart = testStart - Math.round(time * validation);
  if (validationStart < 1) {
    throw badArgument(
      'BAD_CONFIG',
      'options.validation + options.test',
      `fractions that leave at least one of the ${time} rows for training`,
      validation + test,
    );
  }
  const part = (start: number, end: number): SeriesPart => ({ series: sliceSeries(series, start, end), start, end });
  return { train: part(0, validationStart), validation: part(validationStart, testStart), test: part(testStart, time) };
}
