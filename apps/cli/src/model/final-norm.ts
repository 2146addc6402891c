import { badArgument, isTensor, RecurError, type Rng } from '@recur/core';
import type { ApplyOptions, Layer, LayerOutput, WeightSpec } from '@recur/layers';
import * as tf from '@tensorflow/tfjs-core';

export type FinalNormParams = { readonly gain: tf.Tensor1D; readonly shift: tf.Tensor1D };

/** Layer normalisation's ε, as the blocks' own norms use it. */
const EPSILON = 1e-5;

/**
 * Layer normalisation over the features of every step (Ba, Kiros & Hinton 2016, eq. 4),
 * `gain ⊙ (x − μ) / √(σ² + ε) + shift`, between a stack of pre-norm residual blocks and
 * the head: each block adds to the residual stream without normalising it, so its scale
 * grows with depth and training, and every model the blocks come from normalises it
 * once more before the output (RWKV-4's `ln_out`, xLSTM's post-blocks norm, the
 * minGRU language model's final norm). The mask passes through.
 */
export function finalNorm(size: number): Layer<FinalNormParams, undefined, tf.Tensor3D, tf.Tensor3D> {
  const specs: WeightSpec[] = [
    { name: 'gain', path: ['gain'], shape: [size] },
    { name: 'shift', path: ['shift'], shape: [size] },
  ];
  function checkInput(shape: readonly number[], _options?: ApplyOptions<undefined>, argument = 'input'): number[] {
    if (shape.length !== 3 || shape[2] !== size) {
      throw new RecurError(
        'SHAPE_MISMATCH',
        `${argument}: expected a sequence [batch, time, ${size}], received shape [${shape.join(', ')}]`,
      );
    }
    return [...shape];
  }
  return Object.freeze({
    kind: 'finalNorm',
    inputSize: size,
    outputSize: size,
    init: (_rng: Rng): FinalNormParams => ({ gain: tf.ones([size]), shift: tf.zeros([size]) }),
    apply(
      params: FinalNormParams,
      input: tf.Tensor3D,
      options: ApplyOptions<undefined> = {},
    ): LayerOutput<tf.Tensor3D, undefined> {
      checkInput(input.shape);
      for (const key of ['gain', 'shift'] as const) {
        if (!isTensor(params?.[key]) || params[key].shape.join() !== String(size)) {
          throw badArgument('SHAPE_MISMATCH', `params.${key}`, `a tensor of shape [${size}]`, params?.[key]);
        }
      }
      const output = tf.tidy(() => {
        const { mean, variance } = tf.moments(input, -1, true);
        const normal = tf.mul(tf.sub(input, mean), tf.rsqrt(tf.add(variance, EPSILON)));
        return tf.add(tf.mul(normal, params.gain), params.shift) as tf.Tensor3D;
      });
      return options.mask === undefined ? { output } : { output, mask: tf.clone(options.mask) };
    },
    checkInput,
    zeroState: () => undefined,
    // Counted like any weights; no Keras layer is built from it (the CLI refuses to export block models).
    kerasWeightSpec: () => specs,
    fromKerasWeights: (): FinalNormParams => {
      throw new RecurError('NOT_SUPPORTED', 'finalNorm: the CLI does not import block models');
    },
  });
}
