import { RecurError, Rng } from '@recur/core';
import { type AnyLayer, dense, disposeParams, recurrent, stacked, tdnn, toVariables } from '@recur/layers';
import {
  type Callbacks,
  fit as fitModel,
  meanSquaredError,
  type SequenceBatch,
  type TrainableModel,
} from '@recur/train';
import * as tf from '@tensorflow/tfjs-core';
import type { ForecastBody, ForecastTask } from '../protocol.js';
import { cellFor } from './cells.js';
import { disposeTree } from './params.js';

/** What a saved forecaster holds besides its weights: its window and the scale it learned with. */
export interface ForecastModelConfig {
  readonly kind: 'forecast';
  /** The cell, or `'tdnn'`; files saved before the picker hold an LSTM. */
  readonly cell?: ForecastBody;
  readonly units: number;
  readonly lookBack: number;
  /** Typical month-to-month change (standard deviation of the training differences). */
  readonly scale: number;
}

/** The share of the series trained on; the rest is forecast and plotted against the truth. */
export const TRAIN_SHARE = 0.8;

/**
 * The time-delay stack (Peddinti et al. 2015): causal contexts, so its last frame, the
 * one the head reads, sees the 4 months before it, then 3 frames spliced 3 and 9 months
 * apart: 29 months in all (the default look-back is 12; a longer one reads zeros before the series).
 */
const tdnnLayers = (units: number): AnyLayer[] => [
  tdnn({ inputSize: 1, units, context: { kind: 'range', from: -4, to: 0 } }) as unknown as AnyLayer,
  tdnn({
    inputSize: units,
    units,
    context: { kind: 'offsets', offsets: [-2, -1, 0] },
    dilation: 3,
  }) as unknown as AnyLayer,
  tdnn({
    inputSize: units,
    units,
    context: { kind: 'offsets', offsets: [-2, -1, 0] },
    dilation: 9,
  }) as unknown as AnyLayer,
];

/** The look-back read by one recurrent layer of the picked cell (its last step), or by the time-delay stack (its last frame). */
const layersFor = (c: ForecastModelConfig) => {
  const body = c.cell ?? 'lstm';
  const reader = body === 'tdnn' ? tdnnLayers(c.units) : [recurrent(cellFor(body, 1, c.units)) as unknown as AnyLayer];
  return stacked([...reader, dense({ inputSize: c.units, units: 1 }) as unknown as AnyLayer]);
};

type ForecastNet = ReturnType<typeof layersFor>;

/** `[batch, time, 1]` per frame (a time-delay stack) → the last frame's `[batch, 1]`; a recurrent reader's output as it is. */
function lastFrame(y: tf.Tensor): tf.Tensor2D {
  if (y.rank === 2) return y as tf.Tensor2D;
  const [batch, time] = y.shape as [number, number, number];
  return tf.reshape(tf.slice(y, [0, time - 1, 0], [batch, 1, 1]), [batch, 1]);
}

/**
 * One-step-ahead forecaster: the picked cell (or a time-delay stack) reads `lookBack`
 * months, a dense layer gives the next. Each window is taken relative to its last month and the target is the change
 * after it, so the model extrapolates a trend past the levels it was trained on (CO₂ only
 * rises) instead of saturating at them.
 */
export class ForecastModel {
  readonly kind = 'forecast' as const;
  readonly net: ForecastNet;
  readonly params: ReturnType<ForecastNet['init']>;
  steps = 0;

  constructor(
    readonly config: ForecastModelConfig,
    seed = 1,
  ) {
    this.net = layersFor(config);
    const init = this.net.init(new Rng(seed));
    ({ params: this.params, variables: this.variables } = toVariables(init));
    disposeParams(init);
  }

  /** The weights by path (`1/kernel`): the names in a saved model. */
  readonly variables: Readonly<Record<string, tf.Variable>>;

  dispose(): void {
    disposeTree(this.params);
  }

  /** Window `[start, start + lookBack)` relative to its last value, in units of `scale`. */
  private window(values: ArrayLike<number>, start: number, into: Float32Array, at: number): number {
    const { lookBack, scale } = this.config;
    const last = values[start + lookBack - 1] as number;
    for (let t = 0; t < lookBack; t++) into[at + t] = ((values[start + t] as number) - last) / scale;
    return last;
  }

  async train(task: ForecastTask, callbacks: Callbacks): Promise<number[]> {
    const series = task.values.slice(0, Math.floor(task.values.length * TRAIN_SHARE));
    const { lookBack, batchSize } = task;
    const { scale } = this.config;
    const trainable: TrainableModel<SequenceBatch> = {
      variables: this.variables,
      loss: (batch) => ({
        loss: meanSquaredError(
          lastFrame(this.net.apply(this.params, batch.inputs as tf.Tensor3D).output as tf.Tensor),
          batch.targets,
        ),
      }),
    };
    const cut = this.window.bind(this);
    const windows = function* (rng: Rng): Generator<SequenceBatch> {
      for (;;) {
        const x = new Float32Array(batchSize * lookBack);
        const y = new Float32Array(batchSize);
        for (let b = 0; b < batchSize; b++) {
          const start = rng.int(series.length - lookBack);
          const last = cut(series, start, x, b * lookBack);
          y[b] = ((series[start + lookBack] as number) - last) / scale;
        }
        yield { inputs: tf.tensor3d(x, [batchSize, lookBack, 1]), targets: tf.tensor2d(y, [batchSize, 1]) };
      }
    };
    const result = await fitModel(
      trainable,
      { train: (rng) => windows(rng) },
      {
        maxSteps: task.steps,
        optimizer: { kind: 'adam', learningRate: task.learningRate },
        seed: this.steps + 1,
        callbacks,
      },
    );
    this.steps += result.steps;
    return result.losses;
  }

  /**
   * One-step-ahead forecasts of every month after the training share, each from the true
   * `lookBack` months before it; null where the model has no forecast.
   */
  async forecast(values: readonly number[]): Promise<(number | null)[]> {
    const { lookBack, scale } = this.config;
    const first = Math.max(Math.floor(values.length * TRAIN_SHARE), lookBack);
    const count = values.length - first;
    if (count <= 0) return values.map(() => null);
    const x = new Float32Array(count * lookBack);
    const lasts = Array.from({ length: count }, (_, i) => this.window(values, first + i - lookBack, x, i * lookBack));
    const out = tf.tidy(() =>
      lastFrame(this.net.apply(this.params, tf.tensor3d(x, [count, lookBack, 1])).output as tf.Tensor),
    );
    const predicted = await out.data();
    out.dispose();
    return values.map((_, i) =>
      i < first ? null : (lasts[i - first] as number) + (predicted[i - first] as number) * scale,
    );
  }
}

export function newForecastModel(task: ForecastTask): ForecastModel {
  const train = task.values.slice(0, Math.floor(task.values.length * TRAIN_SHARE));
  if (train.length < task.lookBack + task.batchSize || train.some((v) => !Number.isFinite(v))) {
    throw new RecurError(
      'BAD_DATA',
      `series: expected at least ${task.lookBack + task.batchSize} finite training values for a look-back of ` +
        `${task.lookBack}, received ${train.length}`,
    );
  }
  const changes = train.slice(1).map((v, i) => v - (train[i] as number));
  const mean = changes.reduce((a, b) => a + b, 0) / changes.length;
  const scale = Math.sqrt(changes.reduce((a, b) => a + (b - mean) ** 2, 0) / changes.length) || 1;
  return new ForecastModel({ kind: 'forecast', cell: task.cell, units: task.units, lookBack: task.lookBack, scale });
}
