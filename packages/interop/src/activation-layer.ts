/**
 * An element-wise activation as a layer of its own (Keras `Activation`), plus `softmax`
 * over the last axis, which core's activations (element-wise by design) do not hold.
 * Keras models often end in `Dense(activation='softmax')`: the loader reads it as a
 * linear `dense` followed by this layer, and the savers write it back as Keras
 * `Activation('softmax')` or ONNX `Softmax`.
 */
import { badArgument, getActivation, isTensor, type Rng } from '@recur/core';
import type { ApplyOptions, Layer, LayerOutput } from '@recur/layers';
import * as tf from '@tensorflow/tfjs-core';

/** A weightless layer applying one activation (or softmax over the last axis): Keras' `Activation`. */
export type ActivationLayer = Layer<Record<string, never>, undefined, tf.Tensor, tf.Tensor> & {
  readonly kind: 'activation';
  /** `'softmax'` or one of core's activation names, as given. */
  readonly activation: string;
};

/** A weightless layer applying `activation` (`'softmax'`: over the last axis). */
export function activationLayer(activation: string): ActivationLayer {
  if (typeof activation !== 'string') {
    throw badArgument('BAD_CONFIG', 'activation', "'softmax' or a core activation name", activation);
  }
  const f: (x: tf.Tensor) => tf.Tensor =
    activation === 'softmax' ? (x) => tf.softmax(x, -1) : getActivation(activation);

  function checkInput(shape: readonly number[], options: ApplyOptions<undefined> = {}, argument = 'input'): number[] {
    if (shape.length < 1) throw badArgument('SHAPE_MISMATCH', argument, 'a tensor of rank 1 or more', `[${shape}]`);
    if (options.initialState !== undefined) {
      throw badArgument(
        'BAD_CONFIG',
        'options.initialState',
        'nothing (an activation has no state)',
        options.initialState,
      );
    }
    return [...shape];
  }

  return Object.freeze({
    kind: 'activation' as const,
    activation,
    inputSize: undefined,
    outputSize: undefined,
    init: (_rng: Rng) => ({}),
    apply(_params: Record<string, never>, input: tf.Tensor, options: ApplyOptions<undefined> = {}) {
      if (!isTensor(input) || input.dtype !== 'float32') {
        throw badArgument('BAD_DATA', 'input', 'a float32 tensor', input);
      }
      checkInput(input.shape, options);
      return tf.tidy(() => {
        const output = f(input);
        return options.mask === undefined ? { output } : { output, mask: tf.clone(options.mask) };
      }) as LayerOutput<tf.Tensor, undefined>;
    },
    checkInput,
    zeroState: () => undefined,
    kerasWeightSpec: () => [],
    fromKerasWeights: () => ({}),
  });
}
