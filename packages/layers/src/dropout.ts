/**
 * Dropout (Srivastava et al. 2014, "Dropout: a simple way to prevent neural networks
 * from overfitting"): while training, each element is zeroed with probability `rate`
 * and the rest scaled by 1 / (1 − rate); otherwise the input passes unchanged. Masks
 * come from the `rng` given to `apply`, so a seed reproduces them on every backend.
 */
import { checkFraction, checkMask, checkTensor, type Rng, shapeMismatch } from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';
import { checkApplyOptions, checkTraining } from './apply-options.js';
import type { ApplyOptions, Layer, LayerOutput } from './layer.js';

/**
 * Inverted-dropout mask of `shape`: each element is 0 with probability `rate`, else
 * 1 / (1 − rate), so the expected activation is unchanged and inference needs no
 * rescaling (Srivastava et al. 2014, sec. 10, as Keras). Drawn from `rng` on the CPU so
 * every backend sees the same mask for the same seed. The caller owns the tensor.
 */
export function dropoutMask(shape: readonly number[], rate: number, rng: Rng): tf.Tensor {
  const keep = 1 / (1 - rate);
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < values.length; i++) values[i] = rng.next() < rate ? 0 : keep;
  return tf.tensor(values, [...shape], 'float32');
}

export type DropoutParams = { readonly [name: string]: never };

export type DropoutLayer = Layer<DropoutParams, undefined, tf.Tensor, tf.Tensor> & {
  readonly kind: 'dropout';
  readonly rate: number;
};

/** A dropout layer with drop probability `rate` in [0, 1). It has no weights (`init` returns `{}`). */
export function dropout(rate: number): DropoutLayer {
  const p = checkFraction(rate, 'dropout rate');

  function checkInput(
    inputShape: readonly number[],
    options: ApplyOptions<undefined> = {},
    argument = 'input',
  ): number[] {
    checkApplyOptions('dropout', options, false);
    if (inputShape.length < 1) throw shapeMismatch(argument, 'a tensor of rank 1 or more', { shape: inputShape });
    checkTraining(options, p > 0);
    if (options.mask !== undefined) {
      if (inputShape.length < 2) {
        throw shapeMismatch(argument, 'a sequence [batch, time, ...] when a mask is given', { shape: inputShape });
      }
      checkMask(options.mask, inputShape[0] as number, inputShape[1] as number);
    }
    return [...inputShape];
  }

  return Object.freeze({
    kind: 'dropout' as const,
    rate: p,
    inputSize: undefined,
    outputSize: undefined,
    init: (_rng: Rng): DropoutParams => ({}),
    apply(
      _params: DropoutParams,
      input: tf.Tensor,
      options: ApplyOptions<undefined> = {},
    ): LayerOutput<tf.Tensor, undefined> {
      const shape = checkInput(checkTensor(input, 'input', 'a float32 tensor').shape, options);
      if (input.dtype !== 'float32') throw shapeMismatch('input', 'a float32 tensor', input);
      const training = options.training === true;
      return tf.tidy(() => {
        const output = training && p > 0 ? tf.mul(input, dropoutMask(shape, p, options.rng as Rng)) : tf.clone(input);
        return options.mask === undefined ? { output } : { output, mask: tf.clone(options.mask) };
      });
    },
    checkInput,
    zeroState: () => undefined,
    kerasWeightSpec: () => [],
    fromKerasWeights: (): DropoutParams => ({}),
  });
}
