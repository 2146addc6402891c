/**
 * Jordan network (Jordan 1986, "Serial order: a parallel distributed processing
 * approach"): the previous *output*, not the hidden state, is fed back.
 *
 *     h_t = act(x_t·W + y_{t−1}·U + b)
 *     y_t = outAct(h_t·V + c)
 *
 * x_t [batch, inputSize], h_t [batch, units], y [batch, outputSize],
 * W = kernel [inputSize, units], U = recurrentKernel [outputSize, units],
 * b = bias [units], V = outputKernel [units, outputSize], c = outputBias [outputSize].
 * Jordan's decaying self-connections on the state units are left out: the carry is y.
 */
import {
  type ActivationName,
  type Cell,
  checkBoolean,
  checkConfig,
  checkPositiveInteger,
  checkRng,
  getActivation,
  type InitializerName,
  type Rng,
  resolveActivationName,
  resolveInitializerName,
} from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';
import type { Resolved } from './internal/config.js';
import { initParams, zerosCarry } from './internal/ops.js';
import { checkBatch, checkCarry, checkInput, type ParamShapes, paramsCheck } from './internal/shapes.js';

export interface JordanConfig {
  /** Features per input step. Required. */
  readonly inputSize: number;
  /** Hidden size (h). Required. */
  readonly units: number;
  /** Output size (y, which is also the carry). Required. */
  readonly outputSize: number;
  /** `act`. Default `'tanh'`. */
  readonly activation?: ActivationName | (string & {});
  /**
   * `outAct`. Default `'tanh'`: y is fed back, and a bounded output keeps the loop
   * stable as in Elman-style nets (a `'linear'` output can grow without bound; put a
   * dense head after the layer when a real-valued output is needed).
   */
  readonly outputActivation?: ActivationName | (string & {});
  /** Whether `b` and `c` exist. Default `true`. */
  readonly useBias?: boolean;
  /** W. Default `'glorotUniform'`. */
  readonly kernelInitializer?: InitializerName | (string & {});
  /** U. Default `'orthogonal'`. */
  readonly recurrentInitializer?: InitializerName | (string & {});
  /** V. Default `'glorotUniform'`. */
  readonly outputInitializer?: InitializerName | (string & {});
  /** b and c. Default `'zeros'`. */
  readonly biasInitializer?: InitializerName | (string & {});
}

export type JordanCarry = { readonly y: tf.Tensor2D };

/** `bias` and `outputBias` are present exactly when `useBias` is true. */
export type JordanParams = {
  readonly kernel: tf.Tensor2D;
  readonly recurrentKernel: tf.Tensor2D;
  readonly bias?: tf.Tensor1D;
  readonly outputKernel: tf.Tensor2D;
  readonly outputBias?: tf.Tensor1D;
};

export type JordanCell = Cell<JordanCarry, JordanParams, Resolved<JordanConfig>> & { readonly kind: 'jordan' };

const FIELDS = [
  'inputSize',
  'units',
  'outputSize',
  'activation',
  'outputActivation',
  'useBias',
  'kernelInitializer',
  'recurrentInitializer',
  'outputInitializer',
  'biasInitializer',
] as const;

/** A Jordan cell. It has no `sequence` form: `scan` steps it. */
export function jordan(config: JordanConfig): JordanCell {
  const kind = 'jordan';
  checkConfig(config, FIELDS, `${kind} config`);
  const full: Resolved<JordanConfig> = Object.freeze({
    inputSize: checkPositiveInteger(config.inputSize, `${kind} config.inputSize`),
    units: checkPositiveInteger(config.units, `${kind} config.units`),
    outputSize: checkPositiveInteger(config.outputSize, `${kind} config.outputSize`),
    activation: resolveActivationName(config.activation ?? 'tanh', `${kind} config.activation`),
    outputActivation: resolveActivationName(config.outputActivation ?? 'tanh', `${kind} config.outputActivation`),
    useBias: checkBoolean(config.useBias ?? true, `${kind} config.useBias`),
    kernelInitializer: resolveInitializerName(
      config.kernelInitializer ?? 'glorotUniform',
      `${kind} config.kernelInitializer`,
    ),
    recurrentInitializer: resolveInitializerName(
      config.recurrentInitializer ?? 'orthogonal',
      `${kind} config.recurrentInitializer`,
    ),
    outputInitializer: resolveInitializerName(
      config.outputInitializer ?? 'glorotUniform',
      `${kind} config.outputInitializer`,
    ),
    biasInitializer: resolveInitializerName(config.biasInitializer ?? 'zeros', `${kind} config.biasInitializer`),
  });
  const { inputSize, units, outputSize, useBias } = full;
  const act = getActivation(full.activation);
  const outAct = getActivation(full.outputActivation);
  const shapes: ParamShapes = {
    kernel: [inputSize, units],
    recurrentKernel: [outputSize, units],
    ...(useBias ? { bias: [units] } : {}),
    outputKernel: [units, outputSize],
    ...(useBias ? { outputBias: [outputSize] } : {}),
  };
  const inits = {
    kernel: full.kernelInitializer,
    recurrentKernel: full.recurrentInitializer,
    bias: full.biasInitializer,
    outputKernel: full.outputInitializer,
    outputBias: full.biasInitializer,
  };

  const paramChecks = paramsCheck(kind, shapes);

  return Object.freeze({
    kind,
    config: full,
    inputSize,
    outputSize,
    checkParams: paramChecks.check,
    init(rng: Rng): JordanParams {
      checkRng(rng, `${kind} init rng`);
      return initParams<JordanParams>(shapes, inits, rng);
    },
    initCarry(batch: number): JordanCarry {
      return { y: zerosCarry(checkBatch(kind, batch), outputSize) };
    },
    step(params: JordanParams, carry: JordanCarry, x: tf.Tensor2D) {
      const batch = checkInput(kind, x, inputSize);
      checkCarry(kind, carry, { y: outputSize }, batch);
      paramChecks.checkOnce(params);
      return tf.tidy(() => {
        const z = tf.add(tf.matMul(x, params.kernel), tf.matMul(carry.y, params.recurrentKernel));
        const h = act(useBias ? tf.add(z, params.bias as tf.Tensor1D) : z) as tf.Tensor2D;
        const v = tf.matMul(h, params.outputKernel);
        const y = outAct(useBias ? tf.add(v, params.outputBias as tf.Tensor1D) : v) as tf.Tensor2D;
        return { carry: { y }, y: tf.clone(y) };
      });
    },
  });
}
