import { adamUpdate, badArgument, runKernel } from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';

/** tfjs' `AdamOptimizer` fields this class reads and writes: declared private there, kept as they are. */
interface AdamSlots {
  readonly accBeta1: tf.Variable<tf.Rank.R0>;
  readonly accBeta2: tf.Variable<tf.Rank.R0>;
  readonly accumulatedFirstMoment: { originalName: string; variable: tf.Variable }[];
  readonly accumulatedSecondMoment: { originalName: string; variable: tf.Variable }[];
}

/** The moment slot `i` of `slots`, made of zeros like `value` on first use, as tfjs does. */
function slot(slots: AdamSlots['accumulatedFirstMoment'], i: number, name: string, value: tf.Variable): tf.Variable {
  let entry = slots[i];
  if (entry == null) {
    entry = { originalName: name, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
    slots[i] = entry;
  }
  return entry.variable;
}

/**
 * tfjs' Adam (Kingma & Ba 2015) with each variable's update in one kernel, core's
 * `adamUpdate`, instead of about 17 tfjs ops: on a small model those ops' dispatch was
 * most of a training step. The numbers are tfjs' own bit for bit (the kernel follows
 * `AdamOptimizer.applyGradients` op by op), and so are the slots, their names and order
 * (one per position in the gradient list, as tfjs keys them), `getWeights` /
 * `setWeights`, the bias-correction powers β₁ᵗ, β₂ᵗ and the iteration count: a checkpoint
 * of either optimizer restores into the other.
 */
export class FusedAdamOptimizer extends tf.AdamOptimizer {
  /**
   * λ of AdamW's decoupled decay θ ← θ·(1 − η·λ) for `variable`, taken before Adam's step;
   * 0 here (plain Adam).
   */
  protected decoupledWeightDecay(_variable: tf.Variable): number {
    return 0;
  }

  override applyGradients(variableGradients: Parameters<tf.AdamOptimizer['applyGradients']>[0]): void {
    if (typeof variableGradients !== 'object' || variableGradients === null) {
      throw badArgument(
        'BAD_DATA',
        'applyGradients variableGradients',
        'a record or list of named tensors',
        variableGradients,
      );
    }
    const list: readonly { readonly name: string; readonly tensor: tf.Tensor | undefined }[] = Array.isArray(
      variableGradients,
    )
      ? variableGradients
      : Object.keys(variableGradients).map((name) => ({ name, tensor: variableGradients[name] }));
    const state = this as unknown as AdamSlots;
    const registered = tf.engine().registeredVariables;
    const values = list.map(({ name }) => {
      const value = registered[name];
      if (value === undefined) {
        throw badArgument(
          'BAD_DATA',
          `applyGradients variable '${name}'`,
          'the name of a registered tf.Variable',
          name,
        );
      }
      return value;
    });
    tf.tidy(() => {
      const updates = list.map(({ name, tensor: gradient }, i) => {
        const value = values[i] as tf.Variable;
        const m = slot(state.accumulatedFirstMoment, i, `${name}/m`, value);
        const v = slot(state.accumulatedSecondMoment, i, `${name}/v`, value);
        const inputs = { value, gradient, m, v, beta1Power: state.accBeta1, beta2Power: state.accBeta2 };
        const { learningRate, beta1, beta2, epsilon } = this;
        const attrs = { learningRate, beta1, beta2, epsilon, weightDecay: this.decoupledWeightDecay(value) };
        // Every gradient checked before any variable moves: a bad one leaves the model as it was.
        if (gradient != null) adamUpdate.validate({ ...inputs, gradient }, attrs);
        return { inputs, attrs };
      });
      for (const { inputs, attrs } of updates) {
        const { value, gradient, m, v } = inputs;
        if (gradient == null) {
          // No step without a gradient, as tfjs; AdamW still decays the weight.
          const keep = 1 - attrs.learningRate * attrs.weightDecay;
          if (keep !== 1) value.assign(tf.mul(value, keep));
          continue;
        }
        const next = runKernel(adamUpdate, { ...inputs, gradient }, attrs);
        m.assign(next.newM);
        v.assign(next.newV);
        value.assign(next.newValue);
      }
      state.accBeta1.assign(tf.mul(state.accBeta1, this.beta1));
      state.accBeta2.assign(tf.mul(state.accBeta2, this.beta2));
    });
    this.incrementIterations();
  }
}
