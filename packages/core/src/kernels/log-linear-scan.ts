/**
 * `RecurLogLinearScan`: the linear recurrence of positive values in log space,
 * log h_t = logaddexp(log a_t + log h_{t−1}, log b_t), as minGRU and minLSTM train it
 * (Feng et al. 2024, "Were RNNs All We Needed?", §3, Appendix B: with a*_t = Σ_{s≤t} log a_s,
 * log h_t = a*_t + logcumsumexp_{s≤t}(log b_s − a*_s); the prefix scan below computes the
 * same without the differences of large sums).
 *
 * `logA, logB [B, T, ...rest]`, `logH0 [B, ...rest]` (absent: −∞, h0 = 0), `mask [B, T]`
 * (a padded step is logA = 0, logB = −∞: it keeps the state), attr `reverse`. Outputs by
 * input time: `logHs [B, T, ...rest]`, `logHT [B, ...rest]`.
 *
 * Gradient: with L_t = log h_t, ∂L_t/∂L_{t−1} = w_t = exp(log a_t + L_{t−1} − L_t) and
 * ∂L_t/∂log b_t = v_t = exp(log b_t − L_t), so g_t = dL_t + w_{t+1} g_{t+1} (the linear
 * recurrence run backwards), d log a_t = g_t w_t, d log b_t = g_t v_t, d log h0 = w_1 g_1.
 * Where L_t = −∞ (h_t = 0) the exponents are −∞ − (−∞) = NaN; w and v are 0 there, and
 * a padded step passes g through (w = 1).
 */
import * as tf from '@tensorflow/tfjs-core';
import { defineKernel } from './descriptor.js';
import {
  atRealSteps,
  backwardRecurrence,
  inInputTime,
  LOG_AFFINE,
  logAddExp,
  prefixScan,
  previousSteps,
  realSteps,
  type ScanAttrs,
  scanDescriptorParts,
  stateAsStep,
  stateShape,
  stepAt,
  stepsInOrder,
  withFinalGradient,
} from './prefix-scan.js';

export const RecurLogLinearScan = 'RecurLogLinearScan';
export const RecurLogLinearScanGrad = 'RecurLogLinearScanGrad';

export type RecurLogLinearScanInputs = {
  readonly logA: tf.Tensor;
  readonly logB: tf.Tensor;
  readonly logH0?: tf.Tensor;
  readonly mask?: tf.Tensor2D;
};
export type RecurLogLinearScanAttrs = ScanAttrs;
export type RecurLogLinearScanOutputs = { readonly logHs: tf.Tensor; readonly logHT: tf.Tensor };
type LogLinearScanGradInputs = RecurLogLinearScanInputs & {
  readonly logHs: tf.Tensor;
  readonly dlogHs: tf.Tensor;
  readonly dlogHT: tf.Tensor;
};

function forward(inputs: RecurLogLinearScanInputs, attrs: RecurLogLinearScanAttrs): RecurLogLinearScanOutputs {
  return tf.tidy(() => {
    const { logA, logB, logH0, mask } = inputs;
    const { reverse } = attrs;
    const real = mask === undefined ? undefined : realSteps(mask, reverse);
    const scanned = prefixScan(
      {
        first: atRealSteps(real, stepsInOrder(logA, reverse), 0),
        second: atRealSteps(real, stepsInOrder(logB, reverse), -Infinity),
      },
      LOG_AFFINE,
    );
    const logHs =
      logH0 === undefined ? scanned.second : logAddExp(tf.add(scanned.first, stateAsStep(logH0)), scanned.second);
    return {
      logHs: inInputTime(logHs, reverse, logA.shape),
      logHT: tf.reshape(stepAt(logHs, (logA.shape[1] as number) - 1), stateShape(logA)),
    };
  });
}

/** exp(x − L), 0 where L = −∞. */
function ratio(x: tf.Tensor, logH: tf.Tensor3D, empty: tf.Tensor): tf.Tensor3D {
  return tf.where(empty, tf.zerosLike(logH), tf.exp(tf.sub(x, logH))) as tf.Tensor3D;
}

function backward(inputs: LogLinearScanGradInputs, attrs: RecurLogLinearScanAttrs) {
  return tf.tidy(() => {
    const { logA, logB, logH0, mask, logHs, dlogHs, dlogHT } = inputs;
    const { reverse } = attrs;
    const real = mask === undefined ? undefined : realSteps(mask, reverse);
    const la = atRealSteps(real, stepsInOrder(logA, reverse), 0);
    const lb = atRealSteps(real, stepsInOrder(logB, reverse), -Infinity);
    const logH = stepsInOrder(logHs, reverse);
    const empty = tf.equal(logH, -Infinity);
    const carry = atRealSteps(real, ratio(tf.add(la, previousSteps(logH, logH0, -Infinity)), logH, empty), 1);
    const g = backwardRecurrence(carry, withFinalGradient(stepsInOrder(dlogHs, reverse), dlogHT));
    return {
      logA: inInputTime(atRealSteps(real, tf.mul(g, carry) as tf.Tensor3D, 0), reverse, logA.shape),
      logB: inInputTime(atRealSteps(real, tf.mul(g, ratio(lb, logH, empty)) as tf.Tensor3D, 0), reverse, logA.shape),
      logH0: tf.reshape(tf.mul(stepAt(carry, 0), stepAt(g, 0)), stateShape(logA)),
    };
  });
}

/** The linear recurrence of positive values, in log space. */
export const logLinearScan = defineKernel<{
  inputs: RecurLogLinearScanInputs;
  attrs: RecurLogLinearScanAttrs;
  outputs: RecurLogLinearScanOutputs;
  workspace: Record<never, tf.Tensor>;
  differentiable: 'logA' | 'logB' | 'logH0';
  savedOutputs: 'logHs';
}>({
  name: RecurLogLinearScan,
  gradName: RecurLogLinearScanGrad,
  inputs: ['logA', 'logB', 'logH0', 'mask'],
  differentiable: ['logA', 'logB', 'logH0'],
  outputs: ['logHs', 'logHT'],
  workspace: [],
  savedOutputs: ['logHs'],
  // An absent initial state is h0 = 0: log h0 = −∞. Examples draw log a ≤ 0, as minGRU's
  // log(1 − z), and log b, log h0 of either sign.
  ...scanDescriptorParts<RecurLogLinearScanInputs, RecurLogLinearScanAttrs>(
    RecurLogLinearScan,
    ['logA', 'logB', 'logH0'],
    -Infinity,
    [
      [-3, 0],
      [-3, 1],
      [-2, 1],
    ],
  ),
  reference: forward,
  referenceGrad: backward,
});
