import { checkMask, RecurError, type Rng } from '@recur/core';
import type { ApplyOptions, Layer, LayerOutput } from '@recur/layers';
import * as tf from '@tensorflow/tfjs-core';

export type MaxOverTimeParams = { readonly [name: string]: never };

/**
 * Max-pooling over time (Keras `GlobalMaxPooling1D`): `[batch, time, features]` →
 * `[batch, features]`, each feature's largest value over the steps. It lets a feature
 * fire anywhere in a long text instead of having to survive to its end (Collobert et
 * al. 2011; Conneau et al. 2017's BiLSTM-max). After a recurrent layer padded steps need
 * no mask: it repeats its last real output there (maskedOutput 'previous'), so the
 * maximum over every step is the maximum over the real ones. After residual blocks,
 * whose padded steps hold other values, `masked` takes the maximum over the real steps
 * of the mask: padded steps are replaced by each feature's smallest value in the row, which no real
 * maximum is below, so they neither win nor take gradient (a row with no real step
 * gives that smallest value).
 */
export function maxOverTime(
  options: { readonly masked?: boolean } = {},
): Layer<MaxOverTimeParams, undefined, tf.Tensor3D, tf.Tensor2D> {
  const masked = options.masked === true;
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
    apply(
      _params: MaxOverTimeParams,
      input: tf.Tensor3D,
      applyOptions: ApplyOptions<undefined> = {},
    ): LayerOutput<tf.Tensor2D, undefined> {
      checkInput(input.shape);
      const mask = applyOptions.mask;
      if (!masked || mask === undefined) return { output: tf.max(input, 1) };
      checkMask(mask, input.shape[0], input.shape[1]);
      return {
        output: tf.tidy(() => {
          const real = tf.expandDims(tf.greater(mask, 0), 2);
          const floor = tf.min(input, 1, true);
          return tf.max(tf.where(tf.broadcastTo(real, input.shape), input, tf.broadcastTo(floor, input.shape)), 1);
        }),
      };
    },
    checkInput,
    zeroState: () => undefined,
    kerasWeightSpec: () => [],
    fromKerasWeights: (): MaxOverTimeParams => ({}),
  });
}
