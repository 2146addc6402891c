import { badArgument, checkWeightSize, getInitializer, type InitializerName, type Rng } from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';
import type { ParamShapes } from './shapes.js';

/** How one parameter is drawn: an initializer name, or a function of the shape and `rng`. */
export type ParamInit = InitializerName | (string & {}) | ((shape: readonly number[], rng: Rng) => tf.Tensor);

/**
 * Draws every parameter in `shapes` order (so a seed gives the same weights whatever
 * the JS engine's key order), each with its initializer. The caller owns the result.
 */
export function initParams<P>(shapes: ParamShapes, inits: Readonly<Record<string, ParamInit>>, rng: Rng): P {
  const out: Record<string, tf.Tensor> = {};
  try {
    // Sizes first, so an oversized config fails before any weight is allocated.
    for (const [name, shape] of Object.entries(shapes)) checkWeightSize(shape, `params.${name}`, 'a weight');
    for (const [name, shape] of Object.entries(shapes)) {
      const how = inits[name];
      if (how === undefined) {
        throw badArgument('BAD_CONFIG', `initializer of parameter '${name}'`, 'an initializer name or function', how);
      }
      out[name] = typeof how === 'function' ? how(shape, rng) : getInitializer(how)(shape, rng);
    }
  } catch (error) {
    tf.dispose(Object.values(out));
    throw error;
  }
  return out as P;
}

/**
 * Keras' unit forget bias: the forget block of the bias starts at 1, the other blocks
 * come from `biasInitializer` (Jozefowicz et al. 2015, "An empirical exploration of
 * recurrent network architectures", sec. 2.2).
 */
export function forgetBiasInit(
  biasInitializer: InitializerName | (string & {}),
  blocks: number,
  forgetBlock: number,
  units: number,
): ParamInit {
  return (_shape, rng) => {
    const init = getInitializer(biasInitializer);
    const parts: tf.Tensor[] = [];
    for (let b = 0; b < blocks; b++) parts.push(b === forgetBlock ? tf.ones([units]) : init([units], rng));
    const bias = tf.concat(parts);
    tf.dispose(parts);
    return bias;
  };
}

export function zerosCarry(batch: number, units: number): tf.Tensor2D {
  checkWeightSize([batch, units], 'initCarry(batch)', 'a state');
  return tf.zeros([batch, units], 'float32');
}
