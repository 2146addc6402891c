/**
 * Elman network (Elman 1990, "Finding structure in time"; Keras `SimpleRNNCell`):
 *
 *     h_t = act(x_t·W + h_{t−1}·U + b)        y_t = h_t
 *
 * x_t [batch, inputSize], h [batch, units], W = kernel [inputSize, units],
 * U = recurrentKernel [units, units], b = bias [units].
 */
import {
  type ActivationName,
  type Cell,
  checkBoolean,
  checkConfig,
  checkPositiveInteger,
  checkRng,
  elmanSequence,
  getActivation,
  type InitializerName,
  type Rng,
  resolveActivationName,
  resolveInitializerName,
  runKernel,
  SEQUENCE_KERNEL_ACTIVATIONS,
  type SequenceKernelActivation,
  type SequenceOptions,
  type SequenceResult,
} from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';
import type { Resolved } from './internal/config.js';
import { initParams, zerosCarry } from './internal/ops.js';
import { checkBatch, checkCarry, checkInput, type ParamShapes, paramsCheck } from './internal/shapes.js';

export interface ElmanConfig {
  /** Features per input step. Required. */
  readonly inputSize: number;
  /** Hidden (and output) size. Required. */
  readonly units: number;
  /** `act`. Default `'tanh'`; any core activation (`'relu'`, ...), snake_case accepted. */
  readonly activation?: ActivationName | (string & {});
  /** Whether `b` exists. Default `true`. */
  readonly useBias?: boolean;
  /** Default `'glorotUniform'` (as Keras). Names one of core's initializers, with its default options. */
  readonly kernelInitializer?: InitializerName | (string & {});
  /** Default `'orthogonal'` (as Keras). */
  readonly recurrentInitializer?: InitializerName | (string & {});
  /** Default `'zeros'`. */
  readonly biasInitializer?: InitializerName | (string & {});
}

export type ElmanCarry = { readonly h: tf.Tensor2D };

/** `bias` is present exactly when `useBias` is true. */
export type ElmanParams = {
  readonly kernel: tf.Tensor2D;
  readonly recurrentKernel: tf.Tensor2D;
  readonly bias?: tf.Tensor1D;
};

export type ElmanCell = Cell<ElmanCarry, ElmanParams, Resolved<ElmanConfig>> & { readonly kind: 'elman' };

const FIELDS = [
  'inputSize',
  'units',
  'activation',
  'useBias',
  'kernelInitializer',
  'recurrentInitializer',
  'biasInitializer',
] as const;

/**
 * An Elman cell. It has a `sequence` form, core's fused `RecurElmanSequence` kernel, when
 * that kernel computes its config (see {@link elmanKernel}); `scan` steps the others.
 */
export function elman(config: ElmanConfig): ElmanCell {
  const kind = 'elman';
  checkConfig(config, FIELDS, `${kind} config`);
  const full: Resolved<ElmanConfig> = Object.freeze({
    inputSize: checkPositiveInteger(config.inputSize, `${kind} config.inputSize`),
    units: checkPositiveInteger(config.units, `${kind} config.units`),
    activation: resolveActivationName(config.activation ?? 'tanh', `${kind} config.activation`),
    useBias: checkBoolean(config.useBias ?? true, `${kind} config.useBias`),
    kernelInitializer: resolveInitializerName(
      config.kernelInitializer ?? 'glorotUniform',
      `${kind} config.kernelInitializer`,
    ),
    recurrentInitializer: resolveInitializerName(
      config.recurrentInitializer ?? 'orthogonal',
      `${kind} config.recurrentInitializer`,
    ),
    biasInitializer: resolveInitializerName(config.biasInitializer ?? 'zeros', `${kind} config.biasInitializer`),
  });
  const { inputSize, units, useBias } = full;
  const act = getActivation(full.activation);
  const shapes: ParamShapes = {
    kernel: [inputSize, units],
    recurrentKernel: [units, units],
    ...(useBias ? { bias: [units] } : {}),
  };
  const inits = {
    kernel: full.kernelInitializer,
    recurrentKernel: full.recurrentInitializer,
    bias: full.biasInitializer,
  };

  const paramChecks = paramsCheck(kind, shapes);
  const kernel = elmanKernel(full);

  return Object.freeze({
    kind,
    config: full,
    inputSize,
    outputSize: units,
    outputState: 'h',
    checkParams: paramChecks.check,
    ...(kernel === undefined ? {} : { sequence: kernel }),
    init(rng: Rng): ElmanParams {
      checkRng(rng, `${kind} init rng`);
      return initParams<ElmanParams>(shapes, inits, rng);
    },
    initCarry(batch: number): ElmanCarry {
      return { h: zerosCarry(checkBatch(kind, batch), units) };
    },
    step(params: ElmanParams, carry: ElmanCarry, x: tf.Tensor2D) {
      const batch = checkInput(kind, x, inputSize);
      checkCarry(kind, carry, { h: units }, batch);
      paramChecks.checkOnce(params);
      return tf.tidy(() => {
        const z = tf.add(tf.matMul(x, params.kernel), tf.matMul(carry.h, params.recurrentKernel));
        const h = act(useBias ? tf.add(z, params.bias as tf.Tensor1D) : z) as tf.Tensor2D;
        // y must be its own tensor: a driver may dispose the carry and keep y.
        return { carry: { h }, y: tf.clone(h) };
      });
    },
  });
}

const KERNEL_ACTIVATIONS: readonly string[] = SEQUENCE_KERNEL_ACTIVATIONS;

/**
 * The whole-sequence form of `config`, or `undefined` when core's fused kernel does not
 * compute it: the kernel needs the bias and an activation it implements (not swish or
 * gelu). Params reach it already checked by `scan`.
 */
function elmanKernel(config: Resolved<ElmanConfig>) {
  const { activation: act } = config;
  if (!config.useBias || !KERNEL_ACTIVATIONS.includes(act)) return undefined;
  return (p: ElmanParams, xs: tf.Tensor3D, carry: ElmanCarry, o: SequenceOptions): SequenceResult<ElmanCarry> => {
    const inputs = {
      x: xs,
      kernel: p.kernel,
      recurrentKernel: p.recurrentKernel,
      bias: p.bias as tf.Tensor1D, // present: the kernel path requires useBias
      h0: carry.h,
    };
    const { ys, hT } = runKernel(elmanSequence, o.mask === undefined ? inputs : { ...inputs, mask: o.mask }, {
      activation: act as SequenceKernelActivation,
      reverse: o.reverse,
      maskedOutput: o.maskedOutput,
    });
    return { ys, carry: { h: hT } };
  };
}
