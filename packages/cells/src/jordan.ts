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
import { type ActivationName, type Cell, getActivation, type InitializerName, type Rng } from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';
import {
  activation,
  boolean,
  checkFields,
  checkRng,
  initializer,
  positiveInteger,
  type Resolved,
} from './internal/config.js';
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
  checkFields(kind, config, FIELDS);
  const full: Resolved<JordanConfig> = Object.freeze({
    inputSize: positiveInteger(kind, 'inputSize', config.inputSize),
    units: positiveInteger(kind, 'units', config.units),
    outputSize: positiveInteger(kind, 'outputSize', config.outputSize),
    activation: activation(kind, 'activation', config.activation, 'tanh'),
    outputActivation: activation(kind, 'outputActivation', config.outputActivation, 'tanh'),
    useBias: boolean(kind, 'useBias', config.useBias, true),
    kernelInitializer: initializer(kind, 'kernelInitializer', config.kernelInitializer, 'glorotUniform'),
    recurrentInitializer: initializer(kind, 'recurrentInitializer', config.recurrentInitializer, 'orthogonal'),
    outputInitializer: initializer(kind, 'outputInitializer', config.outputInitializer, 'glorotUniform'),
    biasInitializer: initializer(kind, 'biasInitializer', config.biasInitializer, 'zeros'),
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
      checkRng(kind, rng);
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
