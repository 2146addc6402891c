/**
 * Keras `Masking`: a step is padding when every feature equals `maskValue`. Such steps
 * are zeroed and masked (`[batch, time]` mask) for the layers after it, so a model
 * read from a Keras / tfjs-layers file that starts with `Masking` computes as there.
 */
import { badArgument, isTensor, type Rng } from '@recur/core';
import type { ApplyOptions, Layer, LayerOutput } from '@recur/layers';
import * as tf from '@tensorflow/tfjs-core';

/** Config of a `masking` layer: the features per step and the value that marks padding. */
export interface MaskingConfig {
  /** Features of each step. Required. */
  readonly inputSize: number;
  /** The value that marks padding. Default 0 (as Keras). */
  readonly maskValue?: number;
}

/** A weightless layer that zeroes and masks the steps whose features all equal `maskValue` (Keras' `Masking`). */
export type MaskingLayer = Layer<Record<string, never>, undefined, tf.Tensor3D, tf.Tensor3D> & {
  readonly kind: 'masking';
  readonly config: Readonly<Required<MaskingConfig>>;
};

/** A masking layer (no weights; `init` returns `{}`). */
export function masking(config: MaskingConfig): MaskingLayer {
  if (config === null || typeof config !== 'object') {
    throw badArgument('BAD_CONFIG', 'masking config', '{ inputSize, maskValue? }', config);
  }
  const { inputSize, maskValue = 0 } = config;
  if (!Number.isInteger(inputSize) || inputSize < 1) {
    throw badArgument('BAD_CONFIG', 'masking config.inputSize', 'a positive integer', inputSize);
  }
  if (typeof maskValue !== 'number' || Number.isNaN(maskValue)) {
    throw badArgument('BAD_CONFIG', 'masking config.maskValue', 'a number', maskValue);
  }

  function checkInput(shape: readonly number[], options: ApplyOptions<undefined> = {}, argument = 'input'): number[] {
    if (shape.length !== 3 || shape[2] !== inputSize) {
      throw badArgument('SHAPE_MISMATCH', argument, `a shape [batch, time, ${inputSize}]`, `[${shape.join(', ')}]`);
    }
    if (options.initialState !== undefined) {
      throw badArgument('BAD_CONFIG', 'options.initialState', 'nothing (masking has no state)', options.initialState);
    }
    return [...shape];
  }

  return Object.freeze({
    kind: 'masking' as const,
    config: Object.freeze({ inputSize, maskValue }),
    inputSize,
    outputSize: inputSize,
    init: (_rng: Rng) => ({}),
    apply(_params: Record<string, never>, input: tf.Tensor3D, options: ApplyOptions<undefined> = {}) {
      if (!isTensor(input) || input.dtype !== 'float32') {
        throw badArgument('BAD_DATA', 'input', `a float32 tensor [batch, time, ${inputSize}]`, input);
      }
      checkInput(input.shape, options);
      return tf.tidy(() => {
        const mask = tf.cast(tf.any(tf.notEqual(input, maskValue), -1), 'float32') as tf.Tensor2D;
        const output = tf.mul(input, tf.expandDims(mask, -1)) as tf.Tensor3D;
        return { output, mask };
      }) as LayerOutput<tf.Tensor3D, undefined>;
    },
    checkInput,
    zeroState: () => undefined,
    kerasWeightSpec: () => [],
    fromKerasWeights: () => ({}),
  });
}
