import { RecurError, type Rng } from '@recur/core';
import type { ApplyOptions, Layer, LayerOutput } from '@recur/layers';
import * as tf from '@tensorflow/tfjs-core';

export type MaxOverTimeParams = { readonly [name: string]: never };

/**
 * Max-pooling over time (Keras `GlobalMaxPooling1D`): `[batch, time, features]` →
 * `[batch, features]`, each feature's largest value over the steps. It lets a feature
 * fire anywhere in a long text instead of having to survive to its end (Collobert et
 * al. 2011; Conneau et al. 2017's BiLSTM-max). Padded steps need no mask here: the
 * recurrent layer before it repeats its last real output there (maskedOutput
 * 'previous'), so the maximum over every step is the maximum over the real ones.
 */
export function maxOverTime(): Layer<MaxOverTimeParams, undefined, tf.Tensor3D, tf.Tensor2D> {
  function checkInput(shape: readonly number[], _options?: ApplyOptions<undefined>, argument = 'input'): number[] {
    if (shape.length !== 3) {
      throw new RecurError(
        'SHAPE_MISMATCH',
        `${argument}: expected a sequence [batch, time, features], received shape [${shape.join(', ')}]`,
      );
    }
    return [shape[0] as number, shape[2] as number];
  }
  return Object.freeze({
    kind: 'maxOverTime',
    inputSize: undefined,
    outputSize: undefined,
    init: (_rng: Rng): MaxOverTimeParams => ({}),
    apply(_params: MaxOverTimeParams, input: tf.Tensor3D): LayerOutput<tf.Tensor2D, undefined> {
      checkInput(input.shape);
      return { output: tf.max(input, 1) };
    },
    checkInput,
    zeroState: () => undefined,
    kerasWeightSpec: () => [],
    fromKerasWeights: (): MaxOverTimeParams => ({}),
  });
}
