/**
 * minGRU (Feng et al. 2024, "Were RNNs All We Needed?", https://arxiv.org/abs/2410.01201,
 * §3.1). The GRU without its reset gate and without h_{t−1} in the gates, so that the
 * state is a linear recurrence in h and trains in parallel over time.
 *
 * Step form (§3.1.3, Algorithm 1 with g from Appendix B.3):
 *
 *     z_t = σ(x_t·W_z + b_z)                                         (eq. 3.1.3a)
 *     h̃_t = g(x_t·W_h + b_h)                                         (eq. 3.1.3b)
 *     h_t = (1 − z_t) ⊙ h_{t−1} + z_t ⊙ h̃_t                          (eq. 3.1.3c)
 *     y_t = h_t, or h_t·W_o with an expansion factor α ≠ 1 (§4)
 *
 * Sequence form, h_t = a_t ⊙ h_{t−1} + b_t over every t at once (§3.1.2):
 *
 *     parallel 'linear':  a_t = 1 − z_t = σ(−k_t),  b_t = z_t ⊙ h̃_t         (RecurMinRnnScan)
 *     parallel 'log':     log a_t = −softplus(k_t),                          (Appendix B.3.1,
 *                         log b_t = −softplus(−k_t) + log g(x_t·W_h + b_h)    RecurLogLinearScan)
 *
 * with k_t = x_t·W_z + b_z. Both compute the stepped function. On CPUs the linear form is
 * the fast one: the log form spends exp/log per element, and exists for parity with the
 * paper and for wide parallel hardware. x [batch, inputSize], W = kernel
 * [inputSize, 2·α·units] (blocks z, h), bias [2·α·units], W_o = outputKernel [α·units, units].
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

/** Options of `minGru`: sizes, expansion factor α, sequence form and initialisers. */
export type MinGruConfig = MinRnnOptions;

/** minGRU's state: `h [batch, α·units]`, the h_{t−1} of eq. 3.1.3c (before the output projection W_o). */
export type MinGruCarry = MinCarry;

/** `bias` exists when `useBias`; `outputKernel` [α·units, units] when `expansion` ≠ 1. */
export type MinGruParams = MinParams;

/** A minGRU cell (`kind: 'minGru'`), as `minGru` returns it. */
export type MinGruCell = Cell<MinGruCarry, MinGruParams, Resolved<MinGruConfig>> & { readonly kind: 'minGru' };

/** A minGRU cell: a step for generation and a whole-sequence form for training. */
export function minGru(config: MinGruConfig): MinGruCell {
  const kind = 'minGru';
  return Object.freeze(minCell(kind, resolveMinConfig(kind, config), EQUATIONS)) as MinGruCell;
}

const EQUATIONS: MinEquations = {
  gates: 'minGru',
  // eq. 3.1.3a–c
  step([k, kh], hPrevious, candidate) {
    const z = tf.sigmoid(k!);
    return tf.add(tf.mul(tf.sub(1, z), hPrevious), tf.mul(z, candidate(kh!))) as tf.Tensor2D;
  },
  // Appendix B.3.1 (the linear form, §3.1.2, is core's RecurMinRnnScan)
  logCoefficients([k, kh]) {
    return { logA: tf.neg(tf.softplus(k!)), logB: tf.add(tf.neg(tf.softplus(tf.neg(k!))), logG(kh!)) as tf.Tensor3D };
  },
};
