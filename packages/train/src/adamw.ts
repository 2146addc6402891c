import * as tf from '@tensorflow/tfjs-core';

/**
 * Adam with decoupled weight decay (Loshchilov & Hutter 2019, "Decoupled Weight Decay
 * Regularization", Algorithm 2). Each step first shrinks every variable it updates,
 * θ ← θ·(1 − η·λ), then takes Adam's step from the unchanged gradient, as PyTorch's
 * `AdamW`: the decay is scaled by the current learning rate η, so a schedule scales it
 * too. Unlike an L2 term in the loss, the decay does not pass through Adam's
 * per-weight normalisation, so every weight decays at the same relative rate.
 * The slots and their names are Adam's, so checkpoints store and restore it alike.
 */
export class AdamWOptimizer extends tf.AdamOptimizer {
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

  override applyGradients(variableGradients: Parameters<tf.AdamOptimizer['applyGradients']>[0]): void {
    const names = Array.isArray(variableGradients)
      ? variableGradients.map((g) => g.name)
      : Object.keys(variableGradients);
    const keep = 1 - this.learningRate * this.weightDecay;
    if (keep !== 1) {
      const registered = tf.engine().registeredVariables;
      tf.tidy(() => {
        for (const name of names) {
          const variable = registered[name];
          if (variable?.trainable) variable.assign(tf.mul(variable, keep));
        }
      });
    }
    super.applyGradients(variableGradients);
  }
}
