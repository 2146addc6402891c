/**
 * Fully connected layer over the last axis (Keras `Dense`): y = act(x·W + b), with
 * W = kernel [inputSize, units], b = bias [units]. Any leading axes are kept, so it
 * serves a `[batch, features]` head and a `[batch, time, features]` sequence alike.
 */
import {
  type ActivationName,
  checkBoolean,
  checkConfig,
  checkMask,
  checkPositiveInteger,
  checkRng,
  checkTensor,
  checkWeightSize,
  getActivation,
  getInitializer,
  type InitializerName,
  type Rng,
  resolveActivationName,
  resolveInitializerName,
  shapeMismatch,
} from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';
import { checkApplyOptions } from './apply-options.js';

import { paramsFromSpecs } from './keras-weights.js';
import type { ApplyOptions, Layer, LayerOutput, WeightSpec } from './layer.js';
import { checkParams } from './param-tree.js';

export interface DenseConfig {
  /** Features of the input's last axis. Required. */
  readonly inputSize: number;
  /** Output features. Required. */
  readonly units: number;
  /** Default `'linear'`; any core activation, snake_case accepted. */
  readonly activation?: ActivationName | (string & {});
  /** Whether b exists. Default `true`. */
  readonly useBias?: boolean;
  /** Default `'glorotUniform'` (as Keras). */
  readonly kernelInitializer?: InitializerName | (string & {});
  /** Default `'zeros'`. */
  readonly biasInitializer?: InitializerName | (string & {});
}

/** `bias` is present exactly when `useBias` is true. */
export type DenseParams = { readonly kernel: tf.Tensor2D; readonly bias?: tf.Tensor1D };

export type DenseLayer = Layer<DenseParams, undefined, tf.Tensor, tf.Tensor> & {
  readonly kind: 'dense';
  readonly config: Readonly<Required<DenseConfig>>;
};

const FIELDS = ['inputSize', 'units', 'activation', 'useBias', 'kernelInitializer', 'biasInitializer'] as const;

export function dense(config: DenseConfig): DenseLayer {
  checkConfig(config, FIELDS, 'dense config');
  const full = Object.freeze({
    inputSize: checkPositiveInteger(config.inputSize, 'dense config.inputSize'),
    units: checkPositiveInteger(config.units, 'dense config.units'),
    activation: resolveActivationName(config.activation ?? 'linear', 'dense config.activation'),
    useBias: checkBoolean(config.useBias, 'dense config.useBias', true),
    kernelInitializer: resolveInitializerName(
      config.kernelInitializer ?? 'glorotUniform',
      'dense config.kernelInitializer',
    ),
    biasInitializer: resolveInitializerName(config.biasInitializer ?? 'zeros', 'dense config.biasInitializer'),
  });
  const { inputSize, units, useBias } = full;
  checkWeightSize([inputSize, units], 'dense config', 'inputSize × units');
  const act = getActivation(full.activation);
  const spec: readonly WeightSpec[] = [
    { name: 'kernel', path: ['kernel'], shape: [inputSize, units] },
    ...(useBias ? [{ name: 'bias', path: ['bias'], shape: [units] }] : []),
  ];

  function checkInput(
    inputShape: readonly number[],
    options: ApplyOptions<undefined> = {},
    argument = 'input',
  ): number[] {
    checkApplyOptions('dense', options, false);
    if (inputShape.length < 2 || inputShape[inputShape.length - 1] !== inputSize) {
      throw shapeMismatch(argument, `a shape [..., ${inputSize}] of rank 2 or more`, { shape: inputShape });
    }
    if (options.mask !== undefined) {
      if (inputShape.length < 3) {
        throw shapeMismatch(argument, 'a sequence [batch, time, ...] when a mask is given', { shape: inputShape });
      }
      checkMask(options.mask, inputShape[0] as number, inputShape[1] as number);
    }
    return [...inputShape.slice(0, -1), units];
  }

  return Object.freeze({
    kind: 'dense' as const,
    config: full,
    inputSize,
    outputSize: units,
    init(rng: Rng): DenseParams {
      checkRng(rng, 'dense init rng');
      const kernel = getInitializer(full.kernelInitializer)([inputSize, units], rng) as tf.Tensor2D;
      if (!useBias) return { kernel };
      return { kernel, bias: getInitializer(full.biasInitializer)([units], rng) as tf.Tensor1D };
    },
    apply(
      params: DenseParams,
      input: tf.Tensor,
      options: ApplyOptions<undefined> = {},
    ): LayerOutput<tf.Tensor, undefined> {
      const shape = checkTensor(input, 'input', `a float32 tensor of shape [..., ${inputSize}]`).shape;
      const out = checkInput(shape, options);
      if (input.dtype !== 'float32')
        throw shapeMismatch('input', `a float32 tensor of shape [..., ${inputSize}]`, input);
      checkParams(params, spec);
      return tf.tidy(() => {
        const z = tf.matMul(tf.reshape(input, [-1, inputSize]), params.kernel);
        const y = act(useBias ? tf.add(z, params.bias as tf.Tensor1D) : z);
        const output = tf.reshape(y, out);
        return options.mask === undefined ? { output } : { output, mask: tf.clone(options.mask) };
      });
    },
    checkInput,
    zeroState: () => undefined,
    kerasWeightSpec: () => spec,
    fromKerasWeights: (weights: readonly tf.Tensor[]) => paramsFromSpecs<DenseParams>(spec, weights),
  });
}
