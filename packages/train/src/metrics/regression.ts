import { assertPositiveInteger, badArgument, isTensor } from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';
import { type MetricOptions, maskedMeanMetric, sameShape } from './tensor-metric.js';

type Values = ArrayLike<number>;

function paired(predictions: Values, targets: Values, name: string): void {
  if (predictions.length !== targets.length) {
    throw badArgument(
      'SHAPE_MISMATCH',
      `${name}: targets`,
      `${predictions.length} values (as predictions)`,
      targets.length,
    );
  }
  if (predictions.length === 0) throw badArgument('BAD_DATA', `${name}: predictions`, 'at least one value', 0);
}

/** Tensor form of a regression metric: predictions and targets of one shape, the masked mean of `f(difference)`. */
function tensorMetric(
  name: string,
  predictions: unknown,
  targets: unknown,
  mask: unknown,
  f: (d: tf.Tensor) => tf.Tensor,
) {
  if (!isTensor(predictions))
    throw badArgument('BAD_DATA', `${name}: predictions`, 'a tensor (as targets)', predictions);
  if (!isTensor(targets)) throw badArgument('BAD_DATA', `${name}: targets`, 'a tensor (as predictions)', targets);
  if (!sameShape(predictions.shape, targets.shape)) {
    throw badArgument(
      'SHAPE_MISMATCH',
      `${name}: targets`,
      `shape [${predictions.shape.join(', ')}] (as predictions)`,
      targets,
    );
  }
  return tf.tidy(() => maskedMeanMetric(name, f(tf.sub(predictions, targets)), mask));
}

/**
 * Mean absolute error. Tensors in, `tf.Scalar` out (a training metric, with the losses'
 * `{ mask }`), or arrays in, a number out (evaluation).
 */
export function mae(predictions: tf.Tensor, targets: tf.Tensor, options?: MetricOptions<tf.Tensor>): tf.Scalar;
export function mae(predictions: Values, targets: Values): number;
export function mae(
  predictions: tf.Tensor | Values,
  targets: tf.Tensor | Values,
  options: MetricOptions<tf.Tensor> = {},
): tf.Scalar | number {
  if (isTensor(predictions) || isTensor(targets)) {
    return tensorMetric('mae', predictions, targets, options.mask, tf.abs);
  }
  paired(predictions, targets, 'mae');
  let s = 0;
  for (let i = 0; i < targets.length; i++) s += Math.abs((predictions[i] as number) - (targets[i] as number));
  return s / targets.length;
}

/** Root mean squared error, in the same two forms as {@link mae}. */
export function rmse(predictions: tf.Tensor, targets: tf.Tensor, options?: MetricOptions<tf.Tensor>): tf.Scalar;
export function rmse(predictions: Values, targets: Values): number;
export function rmse(
  predictions: tf.Tensor | Values,
  targets: tf.Tensor | Values,
  options: MetricOptions<tf.Tensor> = {},
): tf.Scalar | number {
  if (isTensor(predictions) || isTensor(targets)) {
    return tf.tidy(() => tf.sqrt(tensorMetric('rmse', predictions, targets, options.mask, tf.square)) as tf.Scalar);
  }
  paired(predictions, targets, 'rmse');
  let s = 0;
  for (let i = 0; i < targets.length; i++) s += ((predictions[i] as number) - (targets[i] as number)) ** 2;
  return Math.sqrt(s / targets.length);
}

/** Mean absolute percentage error, in percent; targets equal to 0 are left out. */
export function mape(predictions: Values, targets: Values): number {
  paired(predictions, targets, 'mape');
  let s = 0;
  let n = 0;
  for (let i = 0; i < targets.length; i++) {
    const y = targets[i] as number;
    if (y === 0) continue;
    s += Math.abs(((predictions[i] as number) - y) / y);
    n++;
  }
  if (n === 0) throw badArgument('BAD_DATA', 'mape: targets', 'at least one non-zero value', 'all zeros');
  return (100 * s) / n;
}

/**
 * Mean absolute scaled error (Hyndman & Koehler 2006): the forecast's MAE divided by the
 * in-sample MAE of the seasonal naive forecast ŷ_t = y_{t−m} on the training series.
 * Below 1 means better than repeating last season (last week, for daily data, m = 7).
 */
export function mase(predictions: Values, targets: Values, training: Values, season = 1): number {
  assertPositiveInteger(season, 'season');
  if (training.length <= season) {
    throw badArgument('BAD_DATA', 'mase: training', `more than season (${season}) values`, training.length);
  }
  let s = 0;
  for (let t = season; t < training.length; t++)
    s += Math.abs((training[t] as number) - (training[t - season] as number));
  const scale = s / (training.length - season);
  if (scale === 0)
    throw badArgument(
      'BAD_DATA',
      'mase: training',
      'a series that is not constant across seasons',
      'a constant series',
    );
  return (mae(predictions, targets) as number) / scale;
}
