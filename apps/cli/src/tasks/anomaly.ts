import type { Float32Array3D, TimeSeries } from '@recur/datasets';
import { batchIndices, StandardScaler, scalerFromJSON, slidingWindows } from '@recur/datasets';
import { meanAbsoluteError, meanSquaredError, precisionRecallF1 } from '@recur/train';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { gather, loadAnomalySeries } from '../data/series.js';
import { CliError } from '../errors.js';
import { betweenBatches } from '../interrupt.js';
import { type CellChoice, type NetworkConfig, type NetworkParams, network } from '../model/network.js';
import { TDNN_LAYERS } from '../model/tdnn-stack.js';
import type { SequenceModel } from '../settings.js';
import { count, fixed } from './format.js';
import { quantile, rollingZScores } from './scores.js';
import type { Task, TaskContext, TaskSession } from './task.js';

/**
 * The alarm threshold is this quantile of the scores on normal validation data: both the
 * model and the baseline get the same false-alarm budget (0.5 % of normal readings), and
 * neither sees a test label.
 */
const THRESHOLD_QUANTILE = 0.995;

/** What a series model's file holds besides weights. */
const preprocessing = z.strictObject({
  scaler: z.record(z.string(), z.unknown()),
  columns: z.array(z.string()).min(1),
});

function concat(parts: readonly Float32Array3D[]): Float32Array3D {
  const [, time, features] = parts[0]?.shape ?? [0, 1, 1];
  const n = parts.reduce((a, p) => a + p.shape[0], 0);
  const data = new Float32Array(n * time * features);
  let at = 0;
  for (const p of parts) {
    data.set(p.data, at);
    at += p.data.length;
  }
  return { data, shape: [n, time, features] };
}

function stack(series: readonly TimeSeries[]): TimeSeries {
  const width = series[0]?.shape[1] ?? 1;
  const rows = series.reduce((a, s) => a + s.shape[0], 0);
  const data = new Float32Array(rows * width);
  let at = 0;
  for (const s of series) {
    data.set(s.data, at);
    at += s.data.length;
  }
  return { data, shape: [rows, width] };
}

async function open(context: TaskContext<'anomaly'>): Promise<TaskSession<NetworkParams>> {
  const { settings } = context;
  const saved = context.saved as z.infer<typeof preprocessing> | undefined;
  const data = await loadAnomalySeries(settings.source);
  const { lookBack, batch } = settings;
  for (const [name, parts] of [
    ['training', data.train],
    ['validation', data.validation],
    ['test', data.test.map((t) => t.series)],
  ] as const) {
    if (!parts.every((s) => s.shape[0] > lookBack)) {
      throw new CliError(
        `the ${name} part of the series is shorter than --seq-length ${lookBack} + 1: use a smaller --seq-length or a longer series`,
      );
    }
  }
  const scaler =
    saved !== undefined ? scalerFromJSON(saved.scaler, 'model file scaler') : StandardScaler.fit(stack(data.train));
  const windowsOf = (series: readonly TimeSeries[]) => {
    const w = series.map((s) => slidingWindows(scaler.transform(s), { lookBack, horizon: 1 }));
    return { inputs: concat(w.map((x) => x.inputs)), targets: concat(w.map((x) => x.targets)) };
  };
  const train = windowsOf(data.train);
  const validation = windowsOf(data.validation);
  const features = data.columns.length;
  const netConfig: NetworkConfig = {
    input: { kind: 'features', size: features },
    cell: settings.cell,
    layers: settings.layers,
    units: settings.units,
    outputs: features,
    perStep: false,
    ...(settings.model === 'tdnn' ? { model: 'tdnn' as const } : {}),
  };
  const net = network(netConfig);
  const windowsIn = (w: Float32Array3D) => w.shape[0];
  const toBatch = (w: typeof train, idx: ArrayLike<number>) => ({
    inputs: gather(w.inputs, idx),
    targets: tf.tidy(() => tf.reshape(gather(w.targets, idx), [idx.length, features])),
  });
  /** Squared forecast error of each reading from the `lookBack` before it (0 for the first ones). */
  const scores = (params: NetworkParams, series: TimeSeries): Float64Array => {
    const w = slidingWindows(scaler.transform(series), { lookBack, horizon: 1 });
    const out = new Float64Array(series.shape[0]);
    const errors = tf.tidy(() => {
      const predicted = net.apply(params, tf.tensor3d(w.inputs.data, [...w.inputs.shape])).output;
      return tf.mean(tf.square(tf.sub(predicted, tf.tensor2d(w.targets.data, [w.targets.shape[0], features]))), -1);
    });
    out.set(errors.dataSync() as Float32Array, lookBack);
    errors.dispose();
    return out;
  };
  const source =
    settings.source.kind === 'file' ? settings.source.path : 'sensors (Suthaharan single-hop sensor network)';
  return {
    net: netConfig,
    preprocessing: { scaler: { ...scaler.toJSON() }, columns: [...data.columns] } satisfies z.infer<
      typeof preprocessing
    >,
    parameterCount: net.parameterCount,
    summary: `${source}: ${count(windowsIn(train.inputs))} training windows of normal readings (${data.columns.join(', ')}), ${data.test.length} labelled test series`,
    metricName: 'mae',
    throughput: 'samples',
    init: (rng) => net.init(rng),
    lossOf: (params) =>
      function loss(b) {
        const { inputs, targets } = b as { inputs: tf.Tensor3D; targets: tf.Tensor2D };
        const predicted = net.apply(params, inputs).output;
        return { loss: meanSquaredError(predicted, targets), metrics: { mae: meanAbsoluteError(predicted, targets) } };
      },
    data: (stopped) => ({
      stepsPerEpoch: Math.ceil(windowsIn(train.inputs) / batch),
      fitData: {
        *train(rng) {
          for (const idx of batchIndices(windowsIn(train.inputs), { batchSize: batch, rng })) yield toBatch(train, idx);
        },
        *validation() {
          if (stopped()) return;
          for (const idx of batchIndices(windowsIn(validation.inputs), { batchSize: 512 }))
            yield toBatch(validation, idx);
        },
      },
    }),
    async evaluate(params, request) {
      const validationScores = data.validation.flatMap((s) => Array.from(scores(params, s).subarray(lookBack)));
      const threshold = quantile(validationScores, THRESHOLD_QUANTILE);
      const baselineValidation = data.validation.flatMap((s) =>
        Array.from(rollingZScores(s, lookBack).subarray(lookBack)),
      );
      const baselineThreshold = quantile(baselineValidation, THRESHOLD_QUANTILE);
      const labels: number[] = [];
      const model: number[] = [];
      const baseline: number[] = [];
      // `eval --predictions`: one row per test reading; the first lookBack of each series have no score.
      const table: (string | number)[][] = [];
      for (const [k, t] of data.test.entries()) {
        await betweenBatches(request.stopped);
        const s = scores(params, t.series);
        const z = rollingZScores(t.series, lookBack);
        for (let i = 0; i < s.length; i++) {
          const flagged = i >= lookBack && (s[i] as number) > threshold ? 1 : 0;
          labels.push(t.anomaly[i] as number);
          model.push(flagged);
          baseline.push(i >= lookBack && (z[i] as number) > baselineThreshold ? 1 : 0);
          if (request.predictions === true) {
            table.push([k + 1, i + 1, t.anomaly[i] as number, i >= lookBack ? (s[i] as number) : '', flagged]);
          }
        }
      }
      const m = precisionRecallF1(model, labels);
      const b = precisionRecallF1(baseline, labels);
      const row = (name: string, s: typeof m) =>
        `${name}: precision ${fixed(s.precision, 3)}, recall ${fixed(s.recall, 3)}, F1 ${fixed(s.f1, 3)} (${s.truePositives} of ${s.truePositives + s.falseNegatives} anomalies, ${s.falsePositives} false alarms)`;
      return {
        metrics: {
          precision: m.precision,
          recall: m.recall,
          f1: m.f1,
          baselinePrecision: b.precision,
          baselineRecall: b.recall,
          baselineF1: b.f1,
        },
        lines: [
          `held-out anomalies, ${count(labels.length)} test readings; thresholds at the ${THRESHOLD_QUANTILE * 100}th percentile of normal validation scores:`,
          row(
            `${(settings.model === 'tdnn' ? 'tdnn' : settings.cell).toUpperCase()} forecaster (squared error of the next reading)`,
            m,
          ),
          row(`rolling z-score baseline (window ${lookBack})`, b),
        ],
        ...(request.predictions === true
          ? { predictions: { header: ['series', 'reading', 'anomaly', 'score', 'flagged'], rows: table } }
          : {}),
      };
    },
    dispose: () => {},
  };
}

export const anomaly: Task<'anomaly'> = {
  name: 'anomaly',
  description: 'anomaly detector: flags readings a forecaster of normal behaviour did not expect',
  datasets: ['sensors'],
  flags: ['seqLength', 'model'],
  settings: (flags) => ({
    cell: (flags.cell ?? 'lstm') as CellChoice, // trainSettings refuses the block cells here
    layers: flags.layers ?? (flags.model === 'tdnn' ? TDNN_LAYERS : 1),
    units: flags.units ?? 32,
    model: (flags.model ?? 'recurrent') as SequenceModel, // the schema refuses g2p's models
    lookBack: flags.seqLength ?? 32,
    batch: flags.batch ?? 64,
    learningRate: flags.lr ?? 0.003,
    minutes: flags.minutes ?? 1,
  }),
  shape: ['model', 'cell', 'layers', 'units', 'lookBack'],
  preprocessing,
  open,
};
