/**
 * minLSTM (Feng et al. 2024, "Were RNNs All We Needed?", https://arxiv.org/abs/2410.01201,
 * §3.2). The LSTM without h_{t−1} in its gates, without the output gate and with the
 * forget and input gates normalised to sum to one, so that the state is a linear
 * recurrence in h whose scale does not depend on time.
 *
 * Step form (§3.2.3, Algorithm 3 with g from Appendix B.3):
 *
 *     f_t = σ(x_t·W_f + b_f)      i_t = σ(x_t·W_i + b_i)                   (eq. 3.2.3a)
 *     f′_t = f_t / (f_t + i_t)    i′_t = i_t / (f_t + i_t)                (eq. 3.2.3b)
 *     h̃_t = g(x_t·W_h + b_h)                                              (eq. 3.2.3c)
 *     h_t = f′_t ⊙ h_{t−1} + i′_t ⊙ h̃_t                                   (eq. 3.2.3d)
 *     y_t = h_t, or h_t·W_o with an expansion factor α ≠ 1 (§4)
 *
 * f′ is computed as σ(d_t) and i′ as σ(−d_t) with d_t = log f_t − log i_t
 * = softplus(−k_i) − softplus(−k_f) (k the pre-activations): f/(f+i) = 1/(1 + i/f), the same
 * value, but finite where f + i underflows to 0 (both pre-activations far below zero).
 *
 * Sequence form, h_t = a_t ⊙ h_{t−1} + b_t over every t at once (§3.2.2):
 *
 *     parallel 'linear':  a_t = f′_t,  b_t = i′_t ⊙ h̃_t                       (RecurMinRnnScan)
 *     parallel 'log':     log a_t = −softplus(−d_t),                          (Appendix B.3.2,
 *                         log b_t = −softplus(d_t) + log g(x_t·W_h + b_h)      RecurLogLinearScan)
 *
 * Both compute the stepped function; on CPUs the linear form is the fast one. x
 * [batch, inputSize], W = kernel [inputSize, 3·α·units] (blocks f, i, h), bias
 * [3·α·units], W_o = outputKernel [α·units, units].
 */
import type { Cell } from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';
import type { Resolved } from './internal/config.js';
import {
  logG,
  type MinCarry,
  type MinEquations,
  type MinParams,
  type MinRnnOptions,
  minCell,
  resolveMinConfig,
} from './internal/min-rnn.js';

/** Options of `minLstm`: sizes, expansion factor α, sequence form and initialisers. */
export type MinLstmConfig = MinRnnOptions;

/** minLSTM's state: `h [batch, α·units]`, the h_{t−1} of eq. 3.2.3d (before the output projection W_o). */
export type MinLstmCarry = MinCarry;

/** `bias` exists when `useBias`; `outputKernel` [α·units, units] when `expansion` ≠ 1. */
export type MinLstmParams = MinParams;

/** A minLSTM cell (`kind: 'minLstm'`), as `minLstm` returns it. */
export type MinLstmCell = Cell<MinLstmCarry, MinLstmParams, Resolved<MinLstmConfig>> & { readonly kind: 'minLstm' };

/** A minLSTM cell: a step for generation and a whole-sequence form for training. */
export function minLstm(config: MinLstmConfig): MinLstmCell {
  const kind = 'minLstm';
  return Object.freeze(minCell(kind, resolveMinConfig(kind, config), EQUATIONS)) as MinLstmCell;
}

const EQUATIONS: MinEquations = {
  gates: 'minLstm',
  // eq. 3.2.3a–d
  step([kf, ki, kh], hPrevious, candidate) {
    const d = normalisedGates(kf!, ki!);
    return tf.add(tf.mul(tf.sigmoid(d), hPrevious), tf.mul(tf.sigmoid(tf.neg(d)), candidate(kh!))) as tf.Tensor2D;
  },
  // Appendix B.3.2 (the linear form, §3.2.2, is core's RecurMinRnnScan)
  logCoefficients([kf, ki, kh]) {
    const d = normalisedGates(kf!, ki!);
    return { logA: tf.neg(tf.softplus(tf.neg(d))), logB: tf.add(tf.neg(tf.softplus(d)), logG(kh!)) as tf.Tensor3D };
  },
};

/** d = log f − log i = softplus(−k_i) − softplus(−k_f): f′ = σ(d), i′ = σ(−d) (eq. 3.2.3b). */
function normalisedGates<T extends tf.Tensor>(kf: T, ki: T): T {
  return tf.tidy(() => tf.sub(tf.softplus(tf.neg(ki)), tf.softplus(tf.neg(kf))));
}
