/**
 * `RecurAdamUpdate`: one Adam step of one variable in one kernel (Kingma & Ba 2015,
 * "Adam: A Method for Stochastic Optimization", Algorithm 1), with AdamW's decoupled
 * weight decay first (Loshchilov & Hutter 2019, Algorithm 2):
 *
 *   θ ← θ·(1 − η·λ)                                   (skipped where λ = 0)
 *   m ← β₁·m + (1 − β₁)·g
 *   v ← β₂·v + (1 − β₂)·g²
 *   θ ← θ + (−η)·((m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε))
 *
 * Inputs `value`, `gradient`, `m`, `v` of one shape, float32; `beta1Power` and
 * `beta2Power` the scalars β₁ᵗ and β₂ᵗ (tfjs' `AdamOptimizer` keeps them as variables,
 * `accBeta1` and `accBeta2`). Outputs `newValue`, `newM`, `newV`.
 *
 * Why a kernel: tfjs' `AdamOptimizer.applyGradients` spends about 17 tfjs ops per variable,
 * each ~10 µs of dispatch whatever its size, which is most of a small model's training
 * step. The reference below is that method's arithmetic op by op, in its order and with
 * its float32 constants (1 − β₁ computed in float64 then rounded, as tfjs converts the
 * number; −η likewise), so a fused kernel that rounds to float32 after each operation,
 * as IEEE float32 arithmetic does, is bit-identical to tfjs' optimizer on every backend.
 * `adamConstants` gives those constants to the fused kernels.
 *
 * Not differentiable: an optimizer step is never under a gradient tape.
 */
import * as tf from '@tensorflow/tfjs-core';
import { badArgument } from '../errors.js';
import { expectFloatTensor, expectShape } from './check.js';
import { defineKernel, type ExampleSource } from './descriptor.js';

/** tfjs kernel name of the fused Adam / AdamW update of one variable (for `runKernel`). */
export const RecurAdamUpdate = 'RecurAdamUpdate';
/** tfjs kernel name of its backward pass; never registered, the update has no gradient. */
export const RecurAdamUpdateGrad = 'RecurAdamUpdateGrad';

/**
 * Inputs of `RecurAdamUpdate`: the variable's `value`, its `gradient`, Adam's moments `m`
 * and `v` (all one shape, float32), and the bias-correction powers β₁ᵗ, β₂ᵗ as scalars.
 */
export type RecurAdamUpdateInputs = {
  readonly value: tf.Tensor;
  readonly gradient: tf.Tensor;
  readonly m: tf.Tensor;
  readonly v: tf.Tensor;
  readonly beta1Power: tf.Scalar;
  readonly beta2Power: tf.Scalar;
};
/** Attributes of `RecurAdamUpdate`: η, β₁, β₂, ε and AdamW's λ (0 for Adam), as tfjs' optimizer holds them. */
export interface RecurAdamUpdateAttrs {
  readonly learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly weightDecay: number;
}
/** Outputs of `RecurAdamUpdate`: the updated variable and moments. */
export type RecurAdamUpdateOutputs = {
  readonly newValue: tf.Tensor;
  readonly newM: tf.Tensor;
  readonly newV: tf.Tensor;
};

/**
 * The float32 constants of one update, each rounded from the float64 expression tfjs
 * evaluates before it turns the number into a tensor. `keep` is 1 − η·λ, exactly 1 when
 * λ = 0, so a kernel may always multiply by it.
 */
export interface AdamConstants {
  readonly keep: number;
  readonly beta1: number;
  readonly oneMinusBeta1: number;
  readonly beta2: number;
  readonly oneMinusBeta2: number;
  readonly epsilon: number;
  readonly negLearningRate: number;
}

/** The float32 constants of `attrs` (see `AdamConstants`), for fused kernels. */
export function adamConstants(attrs: RecurAdamUpdateAttrs): AdamConstants {
  const f = Math.fround;
  const { learningRate, beta1, beta2, epsilon, weightDecay } = attrs;
  return {
    keep: f(1 - learningRate * weightDecay),
    beta1: f(beta1),
    oneMinusBeta1: f(1 - beta1),
    beta2: f(beta2),
    oneMinusBeta2: f(1 - beta2),
    epsilon: f(epsilon),
    negLearningRate: f(-learningRate),
  };
}

const ATTRIBUTE_RULES: readonly [keyof RecurAdamUpdateAttrs, string, (x: number) => boolean][] = [
  ['learningRate', 'a finite number ≥ 0', (x) => x >= 0],
  ['beta1', 'a number in [0, 1)', (x) => x >= 0 && x < 1],
  ['beta2', 'a number in [0, 1)', (x) => x >= 0 && x < 1],
  ['epsilon', 'a finite number ≥ 0', (x) => x >= 0],
  ['weightDecay', 'a finite number ≥ 0', (x) => x >= 0],
];

function validate(inputs: RecurAdamUpdateInputs, attrs: RecurAdamUpdateAttrs): void {
  const value = expectFloatTensor(RecurAdamUpdate, 'value', inputs.value, 0, true);
  for (const name of ['gradient', 'm', 'v'] as const) expectShape(RecurAdamUpdate, name, inputs[name], value.shape);
  for (const name of ['beta1Power', 'beta2Power'] as const) expectShape(RecurAdamUpdate, name, inputs[name], []);
  for (const [name, expected, fits] of ATTRIBUTE_RULES) {
    const x = (attrs as Partial<RecurAdamUpdateAttrs> | undefined)?.[name];
    if (typeof x !== 'number' || !Number.isFinite(x) || !fits(x)) {
      throw badArgument('BAD_CONFIG', `${RecurAdamUpdate} attribute '${name}'`, expected, x);
    }
  }
}

/** tfjs-core 4.22's `AdamOptimizer.applyGradients` for one variable, op for op, after AdamW's decay. */
function forward(inputs: RecurAdamUpdateInputs, attrs: RecurAdamUpdateAttrs): RecurAdamUpdateOutputs {
  return tf.tidy(() => {
    const { gradient, m, v, beta1Power, beta2Power } = inputs;
    const { learningRate, beta1, beta2, epsilon, weightDecay } = attrs;
    const keep = 1 - learningRate * weightDecay;
    const value = keep === 1 ? inputs.value : tf.mul(inputs.value, keep);
    const newM = tf.add(tf.mul(m, beta1), tf.mul(gradient, 1 - beta1));
    const newV = tf.add(tf.mul(v, beta2), tf.mul(tf.square(gradient), 1 - beta2));
    const mHat = tf.div(newM, tf.sub(1, beta1Power));
    const vHat = tf.div(newV, tf.sub(1, beta2Power));
    const newValue = tf.add(tf.mul(tf.div(mHat, tf.add(tf.sqrt(vHat), epsilon)), -learningRate), value);
    return { newValue, newM, newV };
  });
}

/** A variable of rank 0 to 3 mid-training: moments of a few steps, powers of a few steps. */
function example(source: ExampleSource) {
  const rank = source.int('rank', 0, 3);
  const shape = Array.from({ length: rank }, (_, i) => source.int(i === rank - 1 ? 'units' : `dim${i}`, 1, 9));
  const t = source.int('steps', 1, 50);
  const attrs: RecurAdamUpdateAttrs = {
    learningRate: 10 ** -source.int('learningRateExponent', 1, 4),
    beta1: Number(source.pick('beta1', ['0.9', '0.8', '0'])),
    beta2: Number(source.pick('beta2', ['0.999', '0.99'])),
    epsilon: Number(source.pick('epsilon', ['1e-7', '1e-8'])),
    weightDecay: source.bool('decayed') ? 0.01 * source.int('weightDecay', 1, 10) : 0,
  };
  return {
    inputs: {
      value: source.uniform(shape, -1, 1),
      gradient: source.uniform(shape, -source.scale, source.scale),
      m: source.uniform(shape, -0.1, 0.1),
      v: source.uniform(shape, 0, 0.01),
      beta1Power: tf.scalar(attrs.beta1 ** t),
      beta2Power: tf.scalar(attrs.beta2 ** t),
    },
    attrs,
  };
}

/** One Adam (or AdamW) step of one variable. */
export const adamUpdate = defineKernel<{
  inputs: RecurAdamUpdateInputs;
  attrs: RecurAdamUpdateAttrs;
  outputs: RecurAdamUpdateOutputs;
  workspace: Record<never, tf.Tensor>;
  differentiable: never;
  savedOutputs: never;
}>({
  name: RecurAdamUpdate,
  gradName: RecurAdamUpdateGrad,
  inputs: ['value', 'gradient', 'm', 'v', 'beta1Power', 'beta2Power'],
  differentiable: [],
  outputs: ['newValue', 'newM', 'newV'],
  workspace: [],
  savedOutputs: [],
  validate,
  complete: (inputs) => inputs,
  reference: forward,
  referenceGrad: () => ({}),
  example,
});
