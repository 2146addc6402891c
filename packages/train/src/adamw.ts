import type * as tf from '@tensorflow/tfjs-core';
import { FusedAdamOptimizer } from './fused-adam.js';

/**
 * Adam with decoupled weight decay (Loshchilov & Hutter 2019, "Decoupled Weight Decay
 * Regularization", Algorithm 2). Each step first shrinks every trainable variable it
 * updates, θ ← θ·(1 − η·λ), then takes Adam's step from the unchanged gradient, as
 * PyTorch's `AdamW`: the decay is scaled by the current learning rate η, so a schedule
 * scales it too. Unlike an L2 term in the loss, the decay does not pass through Adam's
 * per-weight normalisation, so every weight decays at the same relative rate.
 * The slots and their names are Adam's, so checkpoints store and restore it alike; the
 * decay and the step run as one kernel per variable (`FusedAdamOptimizer`).
 */
export class AdamWOptimizer extends FusedAdamOptimizer {
  constructor(
    learningRate: number,
    beta1: number,
    beta2: number,
    epsilon: number,
    /** λ: the fraction of each weight removed per step at learning rate 1. */
    readonly weightDecay: number,
  ) {
    super(learningRate, beta1, beta2, epsilon);
  }

  protected override decoupledWeightDecay(variable: tf.Variable): number {
    return variable.trainable ? this.weightDecay : 0;
  }
}
