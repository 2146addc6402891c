/**
 * Lookup table from token ids to vectors (Keras `Embedding`): `[batch, time]` int32 ids
 * → `[batch, time, dim]`. With `paddingId`, it also makes the `[batch, time]` mask
 * (1 where the id is not `paddingId`) that the recurrent layers after it use to skip
 * padded steps, as Keras' `mask_zero` does with `paddingId: 0`.
 */
import {
  badArgument,
  checkConfig,
  checkMask,
  checkPositiveInteger,
  checkRng,
  checkTensor,
  checkWeightSize,
  getInitializer,
  type InitializerName,
  RecurError,
  type Rng,
  resolveInitializerName,
  shapeMismatch,
} from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';
import { checkApplyOptions } from './apply-options.js';

import { paramsFromSpecs } from './keras-weights.js';
import type { ApplyOptions, Layer, LayerOutput, WeightSpec } from './layer.js';
import { checkParams } from './param-tree.js';

export interface EmbeddingConfig {
  /** Number of ids; inputs are in [0, vocabSize). Required. */
  readonly vocabSize: number;
  /** Vector size. Required. */
  readonly dim: number;
  /**
   * The id of padding. Steps holding it are masked for the layers after this one. Its
   * row is an ordinary, trainable row (as Keras; PyTorch's `padding_idx` zeroes it).
   * Default: none (no mask is made).
   */
  readonly paddingId?: number;
  /** Default `'uniform'` (U(−0.05, 0.05), as Keras). */
  readonly embeddingsInitializer?: InitializerName | (string & {});
  /**
   * An id outside [0, vocabSize): `'error'` (default) throws, naming the first such id and
   * its position; `'clip'` maps it to the nearest valid id (0 or vocabSize − 1). Checking
   * reads the ids back from the backend once per call; clipping does not.
   */
  readonly outOfRange?: 'error' | 'clip';
}

export type EmbeddingParams = { readonly embeddings: tf.Tensor2D };

export type EmbeddingLayer = Layer<EmbeddingParams, undefined, tf.Tensor, tf.Tensor> & {
  readonly kind: 'embedding';
  readonly config: Readonly<EmbeddingConfig & { embeddingsInitializer: string }>;
};

const FIELDS = ['vocabSize', 'dim', 'paddingId', 'embeddingsInitializer', 'outOfRange'] as const;

export function embedding(config: EmbeddingConfig): EmbeddingLayer {
  checkConfig(config, FIELDS, 'embedding config');
  const vocabSize = checkPositiveInteger(config.vocabSize, 'embedding config.vocabSize');
  const dim = checkPositiveInteger(config.dim, 'embedding config.dim');
  checkWeightSize([vocabSize, dim], 'embedding config', 'vocabSize × dim');
  const { paddingId, outOfRange } = config;
  if (outOfRange !== undefined && outOfRange !== 'error' && outOfRange !== 'clip') {
    throw badArgument('BAD_CONFIG', 'embedding config.outOfRange', "'error' or 'clip'", outOfRange);
  }
  if (paddingId !== undefined && !(Number.isInteger(paddingId) && paddingId >= 0 && paddingId < vocabSize)) {
    throw badArgument('BAD_CONFIG', 'embedding config.paddingId', `an integer in [0, ${vocabSize})`, paddingId);
  }
  const full = Object.freeze({
    vocabSize,
    dim,
    ...(paddingId === undefined ? {} : { paddingId }),
    ...(outOfRange === undefined ? {} : { outOfRange }),
    embeddingsInitializer: resolveInitializerName(
      config.embeddingsInitializer ?? 'uniform',
      'embedding config.embeddingsInitializer',
    ),
  });
  const spec: readonly WeightSpec[] = [{ name: 'embeddings', path: ['embeddings'], shape: [vocabSize, dim] }];

  function checkInput(
    inputShape: readonly number[],
    options: ApplyOptions<undefined> = {},
    argument = 'input',
  ): number[] {
    checkApplyOptions('embedding', options, false);
    if (inputShape.length < 1) throw shapeMismatch(argument, 'int32 ids of rank 1 or more', { shape: inputShape });
    if ((options.mask !== undefined || paddingId !== undefined) && inputShape.length !== 2) {
      throw shapeMismatch(argument, 'ids of shape [batch, time] (a mask is made or passed on)', { shape: inputShape });
    }
    checkMask(options.mask, inputShape[0] as number, inputShape[1] as number);
    return [...inputShape, dim];
  }

  return Object.freeze({
    kind: 'embedding' as const,
    config: full,
    inputSize: vocabSize,
    outputSize: dim,
    init(rng: Rng): EmbeddingParams {
      checkRng(rng, 'embedding init rng');
      return { embeddings: getInitializer(full.embeddingsInitializer)([vocabSize, dim], rng) as tf.Tensor2D };
    },
    apply(
      params: EmbeddingParams,
      input: tf.Tensor,
      options: ApplyOptions<undefined> = {},
    ): LayerOutput<tf.Tensor, undefined> {
      const shape = checkTensor(input, 'input', 'an int32 tensor of ids [batch, time]').shape;
      const out = checkInput(shape, options);
      if (input.dtype !== 'int32') throw shapeMismatch('input', 'an int32 tensor of ids [batch, time]', input);
      checkParams(params, spec);
      if (outOfRange !== 'clip') checkIds(input, vocabSize);
      return tf.tidy(() => {
        const flat = tf.reshape(input, [-1]) as tf.Tensor1D;
        // min/max rather than clipByValue, which the wasm backend does not apply to int32.
        const ids =
          outOfRange === 'clip'
            ? (tf.minimum(tf.maximum(flat, tf.scalar(0, 'int32')), tf.scalar(vocabSize - 1, 'int32')) as tf.Tensor1D)
            : flat;
        const output = tf.reshape(lookup(params.embeddings, ids), out);
        let mask: tf.Tensor2D | undefined;
        if (paddingId !== undefined) mask = tf.cast(tf.notEqual(input, paddingId), 'float32') as tf.Tensor2D;
        if (options.mask !== undefined) {
          const given = tf.cast(tf.notEqual(options.mask, 0), 'float32') as tf.Tensor2D;
          mask = mask === undefined ? given : (tf.mul(mask, given) as tf.Tensor2D);
        }
        return mask === undefined ? { output } : { output, mask };
      });
    },
    checkInput,
    zeroState: () => undefined,
    kerasWeightSpec: () => spec,
    fromKerasWeights: (weights: readonly tf.Tensor[]) => paramsFromSpecs<EmbeddingParams>(spec, weights),
  });
}

/**
 * Throws `BAD_DATA` at the first id outside [0, vocabSize), naming it and its position:
 * tfjs' gather would fail with a bare `GatherV2` message on cpu and wasm, and return
 * zeros or garbage on GPU backends.
 */
function checkIds(input: tf.Tensor, vocabSize: number): void {
  const ids = input.dataSync();
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i] as number;
    if (id >= 0 && id < vocabSize) continue;
    const position: number[] = [];
    let rest = i;
    for (let axis = input.rank - 1; axis >= 0; axis--) {
      const size = input.shape[axis] as number;
      position.unshift(rest % size);
      rest = Math.floor(rest / size);
    }
    throw new RecurError(
      'BAD_DATA',
      `input: id ${id} at position [${position.join(', ')}] is outside the vocabulary [0, ${vocabSize}); pass outOfRange: 'clip' to clip ids instead`,
    );
  }
}

/**
 * `table[ids]`, rows gathered. Its gradient scatters the incoming rows back with
 * `scatterND`, which sums repeated ids: tfjs' own gradient of `gather` needs
 * `UnsortedSegmentSum`, which the wasm backend does not have.
 */
function lookup(table: tf.Tensor2D, ids: tf.Tensor1D): tf.Tensor2D {
  // The ids are saved for the backward pass: a closure over them would dangle once the
  // caller's tidy disposed them before the gradient runs.
  const f = tf.customGrad((t, i, save) => {
    (save as tf.GradSaveFunc)([i as tf.Tensor]);
    return {
      value: tf.gather(t as tf.Tensor, i as tf.Tensor),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [savedIds] = saved as [tf.Tensor1D];
        return [tf.scatterND(tf.expandDims(savedIds, 1), dy, table.shape), tf.zerosLike(savedIds)];
      },
    };
  });
  return f(table, ids) as tf.Tensor2D;
}
