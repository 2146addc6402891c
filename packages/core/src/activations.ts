import * as tf from '@tensorflow/tfjs-core';
import { badArgument } from './errors.js';
import { snakeToCamel } from './validation/names.js';

/** An element-wise function. The caller owns the returned tensor. */
export type Activation = (x: tf.Tensor) => tf.Tensor;

const ACTIVATIONS = {
  linear: (x: tf.Tensor) => tf.clone(x),
  sigmoid: (x: tf.Tensor) => tf.sigmoid(x),
  /** clip(0.2·x + 0.5, 0, 1): the tfjs-layers / Keras 2 definition. */
  hardSigmoid: (x: tf.Tensor) => tf.tidy(() => tf.clipByValue(tf.add(tf.mul(x, 0.2), 0.5), 0, 1)),
  tanh: (x: tf.Tensor) => tf.tanh(x),
  relu: (x: tf.Tensor) => tf.relu(x),
  relu6: (x: tf.Tensor) => tf.relu6(x),
  elu: (x: tf.Tensor) => tf.elu(x),
  selu: (x: tf.Tensor) => tf.selu(x),
  softsign: (x: tf.Tensor) => tf.tidy(() => tf.div(x, tf.add(tf.abs(x), 1))),
  softplus: (x: tf.Tensor) => tf.softplus(x),
  swish: (x: tf.Tensor) => tf.tidy(() => tf.mul(x, tf.sigmoid(x))),
  /** GELU, tanh approximation (as Keras `approximate=True`, PyTorch `approximate='tanh'`). */
  gelu: (x: tf.Tensor) =>
    tf.tidy(() => {
      const inner = tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3))));
      return tf.mul(tf.mul(0.5, x), tf.add(1, tf.tanh(inner)));
    }),
  exponential: (x: tf.Tensor) => tf.exp(x),
} satisfies Record<string, Activation>;

export type ActivationName = keyof typeof ACTIVATIONS;
export const ACTIVATION_NAMES = Object.keys(ACTIVATIONS) as ActivationName[];

/** Aliases as other libraries spell them. */
const ALIASES: Record<string, ActivationName> = { silu: 'swish', identity: 'linear', hardsigmoid: 'hardSigmoid' };

/**
 * The activation called `name` (camelCase as tfjs-layers, or Keras' snake_case).
 * Throws `RecurError('BAD_CONFIG')` naming the known ones for anything else.
 */
export function getActivation(name: ActivationName | (string & {})): Activation {
  return ACTIVATIONS[resolveActivationName(name)];
}

/**
 * The canonical (camelCase) name of an activation, accepting every spelling
 * `getActivation` accepts (Keras' snake_case, other libraries' aliases such as `silu`);
 * `BAD_CONFIG` naming `argument` and the known names for anything else. Kernels and
 * configs compare names as strings, so `'hard_sigmoid'` and `'hardSigmoid'` must resolve
 * to one.
 */
export function resolveActivationName(name: unknown, argument = 'activation'): ActivationName {
  const key = typeof name === 'string' ? snakeToCamel(name) : '';
  const resolved = ALIASES[key] ?? key;
  if (!(ACTIVATION_NAMES as string[]).includes(resolved)) {
    throw badArgument('BAD_CONFIG', argument, `one of ${ACTIVATION_NAMES.join(', ')}`, name);
  }
  return resolved as ActivationName;
}
