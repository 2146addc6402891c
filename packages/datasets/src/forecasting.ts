import { assertOneOf, badArgument } from '@recur/core';
import { optionsRecord } from './internal/check.js';
import { MinMaxScaler, type Scaler, StandardScaler } from './scalers.js';
import { type ChronologicalSplit, chronologicalSplit, type SplitFractions } from './split.js';
import { assertTimeSeries, type TimeSeries } from './time-series.js';
import { checkWindowOptions, slidingWindows, type WindowOptions, type Windows } from './windows.js';

export type ScalerKind = 'standard' | 'minMax' | 'none';
const SCALER_KINDS: readonly ScalerKind[] = ['standard', 'minMax', 'none'];

export interface ForecastingOptions {
  readonly window: WindowOptions;
  /** Default: 15 % validation, 15 % test, from the end. */
  readonly split?: SplitFractions;
  /** Default 'standard'. */
  readonly scaler?: ScalerKind;
}

export interface ForecastingData {
  /** Fitted on the training rows only; `inverseTransform` predictions with it. */
  readonly scaler: Scaler | undefined;
  readonly ranges: { readonly [K in keyof ChronologicalSplit]: readonly [number, number] };
  readonly train: Windows;
  readonly validation: Windows;
  readonly test: Windows;
}

/**
 * The usual forecasting pipeline with no look-ahead: split in time order, fit the scaler on
 * the training rows alone, scale every split with it, and cut windows inside each split (a
 * window never spans two splits). Window `starts` are rows of the original series.
 */
export function prepareForecasting(series: TimeSeries, options: ForecastingOptions): ForecastingData {
  assertTimeSeries(series, 'series');
  const o = optionsRecord(options, 'options');
  const window = o.window as WindowOptions;
  checkWindowOptions(window, series.shape[1]);
  const kind = o.scaler ?? 'standard';
  assertOneOf(kind, SCALER_KINDS, 'options.scaler');
  const parts = chronologicalSplit(series, o.split);
  const span = window.lookBack + (window.horizon ?? 1);
  for (const name of ['train', 'validation', 'test'] as const) {
    const rows = parts[name].end - parts[name].start;
    if (rows < span) {
      throw badArgument(
        'BAD_CONFIG',
        `options.window (${name} split has ${rows} rows)`,
        `lookBack + horizon at most ${rows}`,
        span,
      );
    }
  }
  const scaler =
    kind === 'standard'
      ? StandardScaler.fit(parts.train.series)
      : kind === 'minMax'
        ? MinMaxScaler.fit(parts.train.series)
        : undefined;
  const windows = (name: keyof ChronologicalSplit): Windows => {
    const part = parts[name];
    const scaled = scaler === undefined ? part.series : scaler.transform(part.series);
    const w = slidingWindows(scaled, window);
    return { ...w, starts: w.starts.map((s) => s + part.start) };
  };
  return {
    scaler,
    ranges: {
      train: [parts.train.start, parts.train.end],
      validation: [parts.validation.start, parts.validation.end],
      test: [parts.test.start, parts.test.end],
    },
    train: windows('train'),
    validation: windows('validation'),
    test: windows('test'),
  };
}
