/**
 * Applies one layer to every time step independently (Keras `TimeDistributed`): the
 * `[batch, time, ...]` input is folded to `[batch·time, ...]`, run through the inner
 * layer with the same weights at each step, and unfolded. The mask passes through.
 */
import type { Rng } from '@recur/core';
import { badArgument, checkMask, checkTensor, shapeMismatch } from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';
import { checkApplyOptions } from './apply-options.js';
import type { AnyLayer, ApplyOptions, Layer, LayerOutput, ParamTree } from './layer.js';

export type TimeDistributedLayer<P extends ParamTree> = Layer<P, undefined, tf.Tensor, tf.Tensor> & {
  readonly kind: 'timeDistributed';
  readonly layer: AnyLayer;
};

/** Wraps `layer` (e.g. `dense`) to run on each step of a sequence. Its params are the inner layer's. */
export function timeDistributed<P extends ParamTree>(
  layer: Layer<P, unknown, tf.Tensor, tf.Tensor>,
): TimeDistributedLayer<P> {
  if (layer === null || typeof layer !== 'object' || typeof (layer as AnyLayer).apply !== 'function') {
    throw badArgument('BAD_CONFIG', 'timeDistributed layer', 'a Recur layer', layer);
  }

  function checkInput(
    inputShape: readonly number[],
    options: ApplyOptions<undefined> = {},
    argument = 'input',
  ): number[] {
    checkApplyOptions('timeDistributed', options, false);
    if (inputShape.length < 3) {
      throw shapeMismatch(argument, 'a sequence [batch, time, ...] of rank 3 or more', { shape: inputShape });
    }
    const [batch, time] = inputShape as [number, number];
    checkMask(options.mask, batch, time);
    const inner = layer.checkInput(
      [batch * time, ...inputShape.slice(2)],
      innerOptions(options),
      `${argument} (each step)`,
    );
    return [batch, time, ...inner.slice(1)];
  }

  return Object.freeze({
    kind: 'timeDistributed' as const,
    layer: layer as AnyLayer,
    inputSize: layer.inputSize,
    outputSize: layer.outputSize,
    init: (rng: Rng): P => layer.init(rng),
    apply(params: P, input: tf.Tensor, options: ApplyOptions<undefined> = {}): LayerOutput<tf.Tensor, undefined> {
      const shape = checkTensor(input, 'input', 'a tensor [batch, time, ...]').shape;
      const out = checkInput(shape, options);
      return tf.tidy(() => {
        const folded = tf.reshape(input, [-1, ...shape.slice(2)]);
        const result = layer.apply(params, folded, innerOptions(options));
        const output = tf.reshape(result.output, out);
        return options.mask === undefined ? { output } : { output, mask: tf.clone(options.mask) };
      });
    },
    checkInput,
    zeroState: () => undefined,
    kerasWeightSpec: () => layer.kerasWeightSpec(),
    fromKerasWeights: (weights: readonly tf.Tensor[]) => layer.fromKerasWeights(weights),
  });
}

/** What the inner layer sees: the random-mask options, never the sequence mask or a state. */
function innerOptions(options: ApplyOptions<undefined>): ApplyOptions<undefined> {
  return {
    ...(options.training === undefined ? {} : { training: options.training }),
    ...(options.rng === undefined ? {} : { rng: options.rng }),
  };
}
