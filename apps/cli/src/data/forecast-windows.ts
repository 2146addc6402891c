import type { Float32Array2D, Float32Array3D, Scaler, TimeSeries } from '@recur/datasets';

/**
 * Forecasting examples cut from one series in time order. Each forecast origin t sees the
 * `lookBack` steps before it and predicts steps t … t + horizon − 1 of the first feature.
 * Origins of a split lie in that split, and so do the steps they predict; the look-back
 * may reach into earlier splits, which are the past at that time (no look-ahead).
 * Calendar covariates, when the series has them, are known for future days too: they are
 * the one thing the inputs show of the days being forecast.
 */
export interface ForecastWindows {
  /** Forecast origins (rows of the whole series). */
  readonly origins: Int32Array;
  /**
   * `[n, lookBack, features + 1 (+ 2·covariates)]`: the features, then the lagged target
   * channel, scaled and centred per window; with a calendar, then the covariates of the day
   * the lagged channel is shifted to and of the day it shows (see `forecastWindows`).
   */
  readonly inputs: Float32Array3D;
  /** `[n, horizon]`, scaled: the base forecast the network corrects. */
  readonly base: Float32Array;
  /** `[n, horizon]`, in the data's units. */
  readonly targets: Float32Array;
  /** `[n, horizon]`, scaled as the first feature: what the network is trained on. */
  readonly scaledTargets: Float32Array;
}

export interface WindowPlan {
  readonly lookBack: number;
  readonly horizon: number;
  /** Lag of the base forecast and of the lagged channel (364 for daily births: the same weekday a year before). */
  readonly lag: number;
}

/** Steps over which the level ratio of the base forecast is measured. */
const LEVEL_STEPS = 28;

/** The earliest origin whose look-back, lagged channel and level ratio all exist. */
export function firstOrigin(plan: WindowPlan): number {
  return Math.max(
    plan.lookBack,
    plan.lookBack + plan.lag - shift(plan),
    Math.min(plan.lookBack, LEVEL_STEPS) + plan.lag,
  );
}

/** How far the lagged channel is shifted forward: up to the horizon, never past the present. */
function shift(plan: WindowPlan): number {
  return Math.min(plan.horizon, plan.lag);
}

/**
 * The base forecast of step k: the value `lag` steps (whole lags) before it, scaled by how
 * the recent level compares with the level one lag earlier. With a yearly lag of 52 weeks
 * this repeats last year's same weekday (holidays included) at this year's level.
 */
export function lagForecast(y: (t: number) => number, t: number, k: number, plan: WindowPlan): number {
  const span = Math.min(plan.lookBack, LEVEL_STEPS);
  let now = 0;
  let before = 0;
  for (let j = 1; j <= span; j++) {
    now += y(t - j);
    before += y(t - j - plan.lag);
  }
  const ratio = before !== 0 && Number.isFinite(now / before) ? now / before : 1;
  return y(t + k - plan.lag * Math.ceil((k + 1) / plan.lag)) * ratio;
}

/**
 * The windows of the origins in `range`. With `calendar` (`[rows, covariates]`, a row per
 * row of `series`), look-back step s of row r also carries the covariates of row r + shift
 * and of row r + shift − lag: the last `horizon` steps thus show the days to forecast beside
 * the days the base forecast copies, so the network sees where a holiday moved between them.
 */
export function forecastWindows(
  series: TimeSeries,
  range: readonly [number, number],
  plan: WindowPlan,
  scaler: Scaler,
  calendar?: Float32Array2D,
): ForecastWindows {
  const { lookBack, horizon, lag } = plan;
  const [rows, width] = series.shape;
  const covariates = calendar?.shape[1] ?? 0;
  const day = (row: number) => calendar?.data.subarray(row * covariates, (row + 1) * covariates) ?? new Float32Array();
  const from = Math.max(range[0], firstOrigin(plan));
  const to = Math.min(range[1], rows) - horizon;
  const n = Math.max(0, to - from + 1);
  const scaled = scaler.transform(series).data;
  const y = (t: number) => series.data[t * width] as number;
  const scale0 = (v: number) =>
    scaler.transform({ data: Float32Array.of(v), shape: [1, 1] }, { features: [0] }).data[0] as number;
  const centred = width + 1;
  const channels = centred + 2 * covariates;
  const inputs = new Float32Array(n * lookBack * channels);
  const base = new Float32Array(n * horizon);
  const targets = new Float32Array(n * horizon);
  const scaledTargets = new Float32Array(n * horizon);
  const origins = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const t = from + i;
    origins[i] = t;
    for (let s = 0; s < lookBack; s++) {
      const row = t - lookBack + s;
      const at = (i * lookBack + s) * channels;
      for (let f = 0; f < width; f++) inputs[at + f] = scaled[row * width + f] as number;
      // Shifted towards the horizon, so the last steps show last season around the days to forecast.
      inputs[at + width] = scaled[(row - lag + shift(plan)) * width] as number;
      inputs.set(day(row + shift(plan)), at + centred);
      inputs.set(day(row + shift(plan) - lag), at + centred + covariates);
    }
    center(inputs, i, lookBack, centred, channels);
    for (let k = 0; k < horizon; k++) {
      base[i * horizon + k] = scale0(lagForecast(y, t, k, plan));
      targets[i * horizon + k] = y(t + k);
      scaledTargets[i * horizon + k] = scaled[(t + k) * width] as number;
    }
  }
  return { origins, inputs: { data: inputs, shape: [n, lookBack, channels] }, base, targets, scaledTargets };
}

/**
 * Subtracts the mean over window `i` of each of the first `centred` channels (the series'):
 * the network sees the shape of the recent past, not its level. A trending series (CO2)
 * leaves the training range in later years, and a network fed raw levels it never saw
 * extrapolates its correction wildly; the base forecast already carries the level.
 */
function center(inputs: Float32Array, i: number, lookBack: number, centred: number, channels: number): void {
  for (let c = 0; c < centred; c++) {
    let mean = 0;
    for (let s = 0; s < lookBack; s++) mean += inputs[(i * lookBack + s) * channels + c] as number;
    mean /= lookBack;
    for (let s = 0; s < lookBack; s++) {
      const at = (i * lookBack + s) * channels + c;
      inputs[at] = (inputs[at] as number) - mean;
    }
  }
}

/** Seasonal-naive forecasts at the same origins: each step repeats the value m·⌈(k+1)/m⌉ steps before it. */
export function seasonalNaive(series: TimeSeries, origins: Int32Array, horizon: number, season: number): Float32Array {
  const width = series.shape[1];
  const out = new Float32Array(origins.length * horizon);
  origins.forEach((t, i) => {
    for (let k = 0; k < horizon; k++) {
      out[i * horizon + k] = series.data[(t + k - season * Math.ceil((k + 1) / season)) * width] as number;
    }
  });
  return out;
}

/** Consecutive series as one, with each part's row range. */
export function joinSeries(parts: readonly TimeSeries[]): { series: TimeSeries; ranges: [number, number][] } {
  const width = parts[0]?.shape[1] ?? 1;
  const rows = parts.reduce((a, p) => a + p.shape[0], 0);
  const data = new Float32Array(rows * width);
  const ranges: [number, number][] = [];
  let at = 0;
  for (const p of parts) {
    data.set(p.data, at * width);
    ranges.push([at, at + p.shape[0]]);
    at += p.shape[0];
  }
  return { series: { data, shape: [rows, width] }, ranges };
}
