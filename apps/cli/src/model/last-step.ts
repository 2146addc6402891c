import { checkMask, RecurError, type Rng } from '@recur/core';
import type { ApplyOptions, Layer, LayerOutput } from '@recur/layers';
import * as tf from '@tensorflow/tfjs-core';

export type LastStepParams = { readonly [name: string]: never };

/**
 * Each sequence's last real step, `[batch, time, features]` → `[batch, features]`: what a
 * recurrent layer without `returnSequences` hands the head, for layers that return every
 * step (residual blocks, time-delay layers). Under a mask, the last step whose mask is
 * set (a row with none gives its first step); without one, the last step.
 */
export function lastStep(): Layer<LastStepParams, undefined, tf.Tensor3D, tf.Tensor2D> {
  function checkInput(shape: readonly number[], _options?: ApplyOptions<undefined>, argument = 'input'): number[] {
    if (shape.length !== 3 || (shape[1] as number) < 1) {
      throw new RecurError(
        'SHAPE_MISMATCH',
        `${argument}: expected a sequence [batch, time ≥ 1, features], received shape [${shape.join(', ')}]`,
      );
    }
    return [shape[0] as number, shape[2] as number];
  }
  return Object.freeze({
    kind: 'lastStep',
    inputSize: undefined,
    outputSize: undefined,
    init: (_rng: Rng): LastStepParams => ({}),
    apply(
      _params: LastStepParams,
      input: tf.Tensor3D,
      options: ApplyOptions<undefined> = {},
    ): LayerOutput<tf.Tensor2D, undefined> {
      checkInput(input.shape);
      const [batch, time, features] = input.shape;
      const { mask } = options;
      if (mask === undefined) {
        return { output: tf.reshape(tf.slice(input, [0, time - 1, 0], [batch, 1, features]), [batch, features]) };
      }
      checkMask(mask, batch, time);
      return {
        output: tf.tidy(() => {
          // The index of the last set step: the largest of (t + 1)·[mask_t ≠ 0], less one.
          const positions = tf.mul(tf.cast(tf.notEqual(mask, 0), 'int32'), tf.range(1, time + 1, 1, 'int32'));
          const last = tf.maximum(tf.sub(tf.max(positions, 1), tf.scalar(1, 'int32')), tf.scalar(0, 'int32'));
          // Row b's step t is row b·time + t of the flattened steps (gather has a gradient; gatherND has none).
          const flat = tf.add(tf.range(0, batch * time, time, 'int32'), last);
          return tf.gather(tf.reshape(input, [batch * time, features]), flat) as tf.Tensor2D;
        }),
      };
    },
    checkInput,
    zeroState: () => undefined,
    kerasWeightSpec: () => [],
    fromKerasWeights: (): LastStepParams => ({}),
  });
}
