import { batchIndices, type Float32Array2D, StandardScaler, scalerFromJSON, type TimeSeries } from '@recur/datasets';
import { huber, mae, mase, meanAbsoluteError, meanSquaredError, rmse } from '@recur/train';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { CALENDAR_COVARIATES } from '../data/calendar-covariates.js';
import {
  type ForecastWindows,
  firstOrigin,
  forecastWindows,
  joinSeries,
  seasonalNaive,
  type WindowPlan,
} from '../data/forecast-windows.js';
import { gather, loadForecastSeries, type SeriesSplits } from '../data/series.js';
import { CliError } from '../errors.js';
import { type CellChoice, type NetworkConfig, type NetworkParams, network } from '../model/network.js';
import { TDNN_LAYERS } from '../model/tdnn-stack.js';
import type { ForecastLoss, SequenceModel } from '../settings.js';
import { count, fixed } from './format.js';
import type { Task, TaskContext, TaskSession } from './task.js';

/**
 * MASE scores absolute errors, so MAE trains for the metric itself; squared error weighs the
 * rare large misses (holidays) most, Huber's loss is in between.
 */
const LOSSES: Readonly<Record<ForecastLoss, (predicted: tf.Tensor2D, targets: tf.Tensor2D) => tf.Scalar>> = {
  mse: (p, t) => meanSquaredError(p, t),
  mae: (p, t) => meanAbsoluteError(p, t),
  huber: (p, t) => huber(p, t),
};

/** What a series model's file holds besides weights. */
const preprocessing = z.strictObject({
  scaler: z.record(z.string(), z.unknown()),
  columns: z.array(z.string()).min(1),
  /** The calendar covariates the inputs carry, in channel order; absent: none (CSV files, and births models from before them). */
  calendar: z.array(z.string()).min(1).optional(),
});
type Preprocessing = z.infer<typeof preprocessing>;

/**
 * The calendar the model reads: the data's for a new model, none for a model saved without
 * one (it keeps the inputs it was trained on), and refused when a file names covariates this
 * version does not compute in that order.
 */
function calendarOf(data: SeriesSplits, saved: Preprocessing | undefined): Float32Array2D | undefined {
  if (saved === undefined) return data.calendar;
  if (saved.calendar === undefined) return undefined;
  if (data.calendar === undefined || JSON.stringify(saved.calendar) !== JSON.stringify(CALENDAR_COVARIATES)) {
    throw new CliError(
      `the model file's calendar covariates (${saved.calendar.join(', ')}) are not the ones this version computes for this data (${data.calendar === undefined ? 'none' : CALENDAR_COVARIATES.join(', ')}): train it again`,
    );
  }
  return data.calendar;
}

/**
 * MASE divides by the in-sample error of the seasonal-naive forecast (Hyndman & Koehler
 * 2006): on a training series that is constant (or repeats exactly every season) that is
 * 0 and MASE is undefined, so such data is refused before any training.
 */
function checkScaleDefined(history: Float32Array, season: number, name: string): void {
  let sum = 0;
  for (let t = season; t < history.length; t++)
    sum += Math.abs((history[t] as number) - (history[t - season] as number));
  if (!(sum > 0)) {
    throw new CliError(
      `the training part of '${name}' is constant${season > 1 ? ` (or repeats exactly every ${season} steps)` : ''}: MASE, the score forecast reports, is undefined on it; give a series that varies`,
    );
  }
}

function column(series: TimeSeries, feature: number): Float32Array {
  const width = series.shape[1];
  return Float32Array.from({ length: series.shape[0] }, (_, t) => series.data[t * width + feature] as number);
}

async function open(context: TaskContext<'forecast'>): Promise<TaskSession<NetworkParams>> {
  const { settings } = context;
  const saved = context.saved as Preprocessing | undefined;
  const data = await loadForecastSeries(settings.source);
  const { lookBack, horizon, batch } = settings;
  // 0 (the default): the dataset's own (births: weekly season, yearly lag; CO2: 12 months), else 1.
  const season = settings.season > 0 ? settings.season : (data.season ?? 1);
  const lag = settings.lag > 0 ? settings.lag : (data.lag ?? season);
  const plan: WindowPlan = { lookBack, horizon, lag };
  const { series, ranges } = joinSeries([data.train, data.validation, data.test]);
  const [trainRange, validationRange, testRange] = ranges as [[number, number], [number, number], [number, number]];
  if (trainRange[1] - firstOrigin(plan) < horizon + batch || testRange[1] - testRange[0] < horizon) {
    throw new CliError(
      `the series is too short for --seq-length ${lookBack}, --lag ${lag} and --horizon ${horizon} (${series.shape[0]} rows, ${trainRange[1]} for training): use smaller ones or a longer series`,
    );
  }
  checkScaleDefined(column(data.train, 0), season, data.columns[0] ?? 'the series');
  const scaler =
    saved !== undefined ? scalerFromJSON(saved.scaler, 'model file scaler') : StandardScaler.fit(data.train);
  const calendar = calendarOf(data, saved);
  const windowsOf = (range: [number, number]) => forecastWindows(series, range, plan, scaler, calendar);
  const train = context.use === 'train' ? windowsOf(trainRange) : undefined;
  const validation = windowsOf(validationRange);
  const test = windowsOf(testRange);
  const netConfig: NetworkConfig = {
    input: { kind: 'features', size: test.inputs.shape[2] as number },
    cell: settings.cell,
    layers: settings.layers,
    units: settings.units,
    outputs: horizon,
    perStep: false,
    ...(settings.model === 'tdnn' ? { model: 'tdnn' as const } : {}),
  };
  const net = network(netConfig);
  // The network forecasts a correction to the lagged base forecast: it starts close to
  // that method and learns what it misses (see data/forecast-windows.ts).
  const forecastOf = (params: NetworkParams, inputs: tf.Tensor3D, base: tf.Tensor2D): tf.Tensor2D =>
    tf.tidy(() => tf.add(base, net.apply(params, inputs).output) as tf.Tensor2D);
  const toBatch = (w: ForecastWindows, idx: ArrayLike<number>) => {
    const pick = (values: Float32Array) =>
      tf.tensor2d(
        Float32Array.from(
          { length: idx.length * horizon },
          (_, j) => values[(idx[Math.floor(j / horizon)] as number) * horizon + (j % horizon)] as number,
        ),
        [idx.length, horizon],
      );
    return { inputs: gather(w.inputs, idx), base: pick(w.base), targets: pick(w.scaledTargets) };
  };
  /** The forecasts of every window, in the data's units. */
  const forecastsOf = (params: NetworkParams, w: ForecastWindows): Float32Array => {
    const n = w.origins.length;
    const scaled = tf.tidy(() =>
      forecastOf(params, tf.tensor3d(w.inputs.data, [...w.inputs.shape]), tf.tensor2d(w.base, [n, horizon])),
    );
    const values = scaled.dataSync() as Float32Array;
    scaled.dispose();
    return scaler.inverseTransform({ data: values, shape: [n * horizon, 1] }, { features: [0] }).data;
  };
  const source = settings.source.kind === 'file' ? settings.source.path : settings.source.name;
  return {
    net: netConfig,
    preprocessing: {
      scaler: { ...scaler.toJSON() },
      columns: [...data.columns],
      ...(calendar !== undefined ? { calendar: [...CALENDAR_COVARIATES] } : {}),
    } satisfies Preprocessing,
    parameterCount: net.parameterCount,
    summary: `${source}: ${count(data.train.shape[0])} training / ${count(data.validation.shape[0])} validation / ${count(data.test.shape[0])} test steps of ${data.columns.join(', ')}; forecasting ${horizon} ahead from ${lookBack}, lag ${lag}${calendar === undefined ? '' : ', with holidays and weekdays'}`,
    metricName: 'mae',
    throughput: 'samples',
    init: (rng) => net.init(rng),
    lossOf: (params) =>
      function loss(b) {
        const { inputs, base, targets } = b as { inputs: tf.Tensor3D; base: tf.Tensor2D; targets: tf.Tensor2D };
        const predicted = forecastOf(params, inputs, base);
        return {
          loss: LOSSES[settings.loss ?? 'mse'](predicted, targets),
          metrics: { mae: meanAbsoluteError(predicted, targets) },
        };
      },
    data: (stopped) => {
      const windows = train as ForecastWindows;
      return {
        stepsPerEpoch: Math.ceil(windows.origins.length / batch),
        fitData: {
          *train(rng) {
            for (const idx of batchIndices(windows.origins.length, { batchSize: batch, rng }))
              yield toBatch(windows, idx);
          },
          *validation() {
            if (stopped()) return;
            for (const idx of batchIndices(validation.origins.length, { batchSize: 256 }))
              yield toBatch(validation, idx);
          },
        },
      };
    },
    async evaluate(params, request) {
      const history = column(data.train, 0);
      const predicted = forecastsOf(params, test);
      const actual = test.targets;
      const n = test.origins.length;
      const naive = seasonalNaive(series, test.origins, horizon, season);
      const model = {
        mase: mase(predicted, actual, history, season),
        mae: mae(predicted, actual),
        rmse: rmse(predicted, actual),
      };
      // What recipes are chosen by: the test split stays out of every choice. A short CSV
      // may leave the validation part no whole window.
      const validationMase =
        validation.origins.length > 0
          ? mase(forecastsOf(params, validation), validation.targets, history, season)
          : undefined;
      const baseline = { mase: mase(naive, actual, history, season), mae: mae(naive, actual) };
      // One row per forecast value: the origin, steps ahead, the row of the series forecast.
      const rows = Array.from({ length: n * horizon }, (_, j) => {
        const origin = test.origins[Math.floor(j / horizon)] as number;
        const ahead = j % horizon;
        return [origin, ahead + 1, origin + ahead, predicted[j] as number, actual[j] as number, naive[j] as number];
      });
      return {
        ...(request.predictions === true
          ? { predictions: { header: ['origin', 'ahead', 'row', 'forecast', 'actual', 'seasonal_naive'], rows } }
          : {}),
        metrics: {
          ...model,
          ...(validationMase !== undefined ? { validationMase } : {}),
          naiveMase: baseline.mase,
          naiveMae: baseline.mae,
        },
        lines: [
          `held-out MASE: ${fixed(model.mase, 3)} (seasonal-naive forecast, season ${season}: ${fixed(baseline.mase, 3)}); below 1 beats the naive method's in-sample error`,
          ...(validationMase !== undefined
            ? [`validation MASE: ${fixed(validationMase, 3)} (the split recipes are tuned on)`]
            : []),
          `held-out MAE: ${fixed(model.mae, 1)} (seasonal-naive: ${fixed(baseline.mae, 1)}), RMSE ${fixed(model.rmse, 1)}; ${count(n)} forecasts of ${horizon} steps of ${data.columns[0]}`,
        ],
      };
    },
    dispose: () => {},
  };
}

export const forecast: Task<'forecast'> = {
  name: 'forecast',
  description: 'time-series forecaster: predicts the next days (steps) of a series',
  datasets: ['births', 'co2'],
  flags: ['seqLength', 'horizon', 'season', 'lag', 'model', 'loss'],
  settings: (flags) => ({
    cell: (flags.cell ?? 'lstm') as CellChoice, // trainSettings refuses the block cells here
    layers: flags.layers ?? (flags.model === 'tdnn' ? TDNN_LAYERS : 1),
    units: flags.units ?? 64,
    model: (flags.model ?? 'recurrent') as SequenceModel, // the schema refuses g2p's models
    lookBack: flags.seqLength ?? 28,
    horizon: flags.horizon ?? 7,
    season: flags.season ?? 0,
    lag: flags.lag ?? 0,
    ...(flags.loss !== undefined ? { loss: flags.loss } : {}),
    batch: flags.batch ?? 64,
    learningRate: flags.lr ?? 0.003,
    minutes: flags.minutes ?? 1,
  }),
  shape: ['model', 'cell', 'layers', 'units', 'lookBack', 'horizon', 'lag'],
  preprocessing,
  open,
};
