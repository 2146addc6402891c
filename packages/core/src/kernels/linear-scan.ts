/**
 * `RecurLinearScan`: the linear recurrence h_t = a_t ⊙ h_{t−1} + b_t over a whole sequence
 * at once, the shared primitive of the linear RNNs (minGRU and minLSTM, Feng et al. 2024,
 * "Were RNNs All We Needed?", §3; Martin & Cundy 2018, "Parallelizing linear recurrent
 * neural nets over sequence length").
 *
 * `a, b [B, T, ...rest]` (rest may be empty or several axes), `h0 [B, ...rest]` (absent:
 * zeros), `mask [B, T]` (absent: all real; a padded step is a = 1, b = 0, so it keeps
 * the state). `reverse` runs t = T−1 down to 0. Outputs by input time: `hs [B, T, ...rest]`
 * (the state after each step, padded steps included) and `hT [B, ...rest]`.
 *
 * Reference forward: a log-depth prefix scan of the affine maps (prefix-scan.ts).
 * Gradient: the same recurrence run backwards, g_t = dh_t + a_{t+1} g_{t+1} (dhT joins
 * at the last step), then db_t = g_t, da_t = g_t h_{t−1}, dh0 = a_1 g_1; zero at padded steps.
 * Fused backends run it sequentially in time, vectorised over batch × features: a few
 * flops per element per step, which on CPUs beats the log-depth form (DESIGN.md).
 */
import * as tf from '@tensorflow/tfjs-core';
import { defineKernel } from './descriptor.js';
import {
  AFFINE,
  atRealSteps,
  backwardRecurrence,
  inInputTime,
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

export const RecurLinearScan = 'RecurLinearScan';
export const RecurLinearScanGrad = 'RecurLinearScanGrad';

export type RecurLinearScanInputs = {
  readonly a: tf.Tensor;
  readonly b: tf.Tensor;
  readonly h0?: tf.Tensor;
  readonly mask?: tf.Tensor2D;
};
export type RecurLinearScanAttrs = ScanAttrs;
export type RecurLinearScanOutputs = { readonly hs: tf.Tensor; readonly hT: tf.Tensor };
type LinearScanGradInputs = RecurLinearScanInputs & {
  readonly hs: tf.Tensor;
  readonly dhs: tf.Tensor;
  readonly dhT: tf.Tensor;
};

function forward(inputs: RecurLinearScanInputs, attrs: RecurLinearScanAttrs): RecurLinearScanOutputs {
  return tf.tidy(() => {
    const { a, b, h0, mask } = inputs;
    const { reverse } = attrs;
    const real = mask === undefined ? undefined : realSteps(mask, reverse);
    const scanned = prefixScan(
      { first: atRealSteps(real, stepsInOrder(a, reverse), 1), second: atRealSteps(real, stepsInOrder(b, reverse), 0) },
      AFFINE,
    );
    // Steps 0…t composed map h0 to A_t h0 + B_t.
    const hs = h0 === undefined ? scanned.second : tf.add(tf.mul(scanned.first, stateAsStep(h0)), scanned.second);
    return {
      hs: inInputTime(hs as tf.Tensor3D, reverse, a.shape),
      hT: tf.reshape(stepAt(hs as tf.Tensor3D, (a.shape[1] as number) - 1), stateShape(a)),
    };
  });
}

function backward(inputs: LinearScanGradInputs, attrs: RecurLinearScanAttrs) {
  return tf.tidy(() => {
    const { a, h0, mask, hs, dhs, dhT } = inputs;
    const { reverse } = attrs;
    const real = mask === undefined ? undefined : realSteps(mask, reverse);
    const carry = atRealSteps(real, stepsInOrder(a, reverse), 1);
    const g = backwardRecurrence(carry, withFinalGradient(stepsInOrder(dhs, reverse), dhT));
    const hPrevious = previousSteps(stepsInOrder(hs, reverse), h0, 0);
    return {
      a: inInputTime(atRealSteps(real, tf.mul(g, hPrevious) as tf.Tensor3D, 0), reverse, a.shape),
      b: inInputTime(atRealSteps(real, g, 0), reverse, a.shape),
      h0: tf.reshape(tf.mul(stepAt(carry, 0), stepAt(g, 0)), stateShape(a)),
    };
  });
}

/** The linear recurrence h_t = a_t ⊙ h_{t−1} + b_t. */
export const linearScan = defineKernel<{
  inputs: RecurLinearScanInputs;
  attrs: RecurLinearScanAttrs;
  outputs: RecurLinearScanOutputs;
  workspace: Record<never, tf.Tensor>;
  differentiable: 'a' | 'b' | 'h0';
  savedOutputs: 'hs';
}>({
  name: RecurLinearScan,
  gradName: RecurLinearScanGrad,
  inputs: ['a', 'b', 'h0', 'mask'],
  differentiable: ['a', 'b', 'h0'],
  outputs: ['hs', 'hT'],
  workspace: [],
  savedOutputs: ['hs'],
  // An absent initial state is 0.
  ...scanDescriptorParts<RecurLinearScanInputs, RecurLinearScanAttrs>(RecurLinearScan, ['a', 'b', 'h0'], 0, [
    [-1, 1],
    [-1, 1],
    [-1, 1],
  ]),
  reference: forward,
  referenceGrad: backward,
});
