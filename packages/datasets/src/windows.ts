import { assertNonNegativeInteger, assertPositiveInteger, badArgument } from '@recur/core';
import type { Float32Array3D } from './arrays.js';
import { optionsRecord } from './internal/check.js';
import { assertTimeSeries, type TimeSeries } from './time-series.js';

export interface WindowOptions {
  /** Past steps the model sees. */
  readonly lookBack: number;
  /** Future steps to predict right after the look-back. Default 1; 0 for inputs only. */
  readonly horizon?: number;
  /** Steps between window starts. Default 1. */
  readonly stride?: number;
  /** Feature columns of the targets. Default: all. */
  readonly targetFeatures?: readonly number[];
}

export interface Windows {
  /** `[count, lookBack, features]`. */
  readonly inputs: Float32Array3D;
  /** `[count, horizon, targetFeatures]`: the steps right after each input window. */
  readonly targets: Float32Array3D;
  /** Row of the series where each window's look-back starts. */
  readonly starts: Int32Array;
  readonly count: number;
}

/**
 * Sliding windows over a series: window i reads rows `[s, s + lookBack)` and predicts rows
 * `[s + lookBack, s + lookBack + horizon)`, with `s = i · stride`. Nothing outside the
 * series given is read, so windows made per split never see another split's rows.
 */
export function slidingWindows(series: TimeSeries, options: WindowOptions): Windows {
  assertTimeSeries(series, 'series');
  const { lookBack, horizon, stride, targets: targetFeatures } = checkWindowOptions(options, series.shape[1]);
  const [time, features] = series.shape;
  const span = lookBack + horizon;
  if (span > time) {
    throw badArgument(
      'BAD_CONFIG',
      'options.lookBack + options.horizon',
      `at most the series length ${time}`,
      `${lookBack} + ${horizon} = ${span}`,
    );
  }
  const count = Math.floor((time - span) / stride) + 1;
  const ft = targetFeatures.length;
  const inputs = new Float32Array(count * lookBack * features);
  const targets = new Float32Array(count * horizon * ft);
  const starts = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const s = i * stride;
    starts[i] = s;
    inputs.set(series.data.subarray(s * features, (s + lookBack) * features), i * lookBack * features);
    for (let h = 0; h < horizon; h++) {
      const row = (s + lookBack + h) * features;
      for (let f = 0; f < ft; f++)
        targets[(i * horizon + h) * ft + f] = series.data[row + (targetFeatures[f] as number)] as number;
    }
  }
  return {
    inputs: { data: inputs, shape: [count, lookBack, features] },
    targets: { data: targets, shape: [count, horizon, ft] },
    starts,
    count,
  };
}

export function checkWindowOptions(
  options: WindowOptions,
  features: number,
): { lookBack: number; horizon: number; stride: number; targets: readonly number[] } {
  const o = optionsRecord(options, 'options');
  assertPositiveInteger(o.lookBack, 'options.lookBack');
  const horizon = o.horizon ?? 1;
  assertNonNegativeInteger(horizon, 'options.horizon');
  const stride = o.stride ?? 1;
  assertPositiveInteger(stride, 'options.stride');
  const targets = o.targetFeatures ?? Array.from({ length: features }, (_, f) => f);
  const ok =
    Array.isArray(targets) &&
    targets.length > 0 &&
    targets.every((f) => Number.isInteger(f) && f >= 0 && f < features) &&
    new Set(targets).size === targets.length;
  if (!ok) {
    throw badArgument('BAD_CONFIG', 'options.targetFeatures', `distinct feature indices in [0, ${features})`, targets);
  }
  return { lookBack: o.lookBack, horizon, stride, targets };
}
