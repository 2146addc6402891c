import { cellFromConfig } from '@recur/cells';
import type { Carry, Cell, Params, Rng } from '@recur/core';
import { type DenseParams, dense, type EmbeddingParams, embedding, recurrent } from '@recur/layers';
import * as tf from '@tensorflow/tfjs-core';

export const CELL_CHOICES = ['lstm', 'gru', 'elman'] as const;
export type CellChoice = (typeof CELL_CHOICES)[number];

/** What a sequence model's input is: token ids looked up in an embedding, or feature vectors. */
export type NetInput =
  | { readonly kind: 'tokens'; readonly vocabSize: number; readonly dim: number; readonly paddingId?: number }
  | { readonly kind: 'features'; readonly size: number };

/**
 * Input → `layers` recurrent layers of `units` → a dense head of `outputs`, on every step
 * (`perStep`: a language model) or on the last real step (a classifier, a forecaster).
 * Everything that fixes the weights' shapes, so a model file can rebuild the model.
 */
export interface SequenceNetConfig {
  readonly input: NetInput;
  readonly cell: CellChoice;
  readonly layers: number;
  readonly units: number;
  readonly outputs: number;
  readonly perStep: boolean;
  /**
   * Without `perStep`: what the head reads, the last real step (default) or the maximum
   * of every feature over all steps. Max-pooling lets each feature fire anywhere in a long
   * text instead of surviving to its end (Collobert et al. 2011; Conneau et al. 2017's
   * BiLSTM-max).
   */
  readonly pool?: 'last' | 'max';
}

export type SequenceNetParams = {
  readonly embedding?: EmbeddingParams;
  readonly rnn: readonly Params[];
  readonly head: DenseParams;
};

/** One carry per recurrent layer. */
export type NetState = readonly Carry[];

export interface ApplyNetOptions {
  /** `[batch, time]`, 1 for real steps (token inputs make their own from `paddingId`). */
  readonly mask?: tf.Tensor2D;
  /** The state a previous call returned: the sequence goes on from there. */
  readonly state?: NetState;
}

export interface SequenceNet {
  readonly config: SequenceNetConfig;
  /** The recurrent cells, bottom first, for stepping one token at a time. */
  readonly cells: readonly Cell[];
  init(rng: Rng): SequenceNetParams;
  /**
   * `[batch, time]` int32 ids or `[batch, time, features]` floats → outputs `[batch, time,
   * outputs]` (`perStep`) or `[batch, outputs]`, and the final state. The caller owns both.
   */
  apply(
    params: SequenceNetParams,
    inputs: tf.Tensor,
    options?: ApplyNetOptions,
  ): { output: tf.Tensor; state: NetState };
}

export function sequenceNet(config: SequenceNetConfig): SequenceNet {
  const { input, layers, units, outputs, perStep } = config;
  const embed =
    input.kind === 'tokens'
      ? embedding({
          vocabSize: input.vocabSize,
          dim: input.dim,
          ...(input.paddingId === undefined ? {} : { paddingId: input.paddingId }),
        })
      : undefined;
  const firstSize = input.kind === 'tokens' ? input.dim : input.size;
  const cells = Array.from(
    { length: layers },
    (_, i) => cellFromConfig({ kind: config.cell, inputSize: i === 0 ? firstSize : units, units }) as unknown as Cell,
  );
  const pooled = !perStep && config.pool === 'max';
  const rnn = cells.map((cell, i) =>
    recurrent(cell, { returnSequences: perStep || pooled || i < layers - 1, returnState: true }),
  );
  const head = dense({ inputSize: units, units: outputs });
  return {
    config,
    cells,
    init(rng) {
      return {
        ...(embed === undefined ? {} : { embedding: embed.init(rng) }),
        rnn: rnn.map((layer) => layer.init(rng)),
        head: head.init(rng),
      };
    },
    apply(params, inputs, options = {}) {
      return tf.tidy(() => {
        let x: tf.Tensor = inputs;
        let mask = options.mask;
        if (embed !== undefined) {
          const out = embed.apply(params.embedding as EmbeddingParams, inputs, mask === undefined ? {} : { mask });
          x = out.output;
          mask = out.mask;
        }
        const state: Carry[] = [];
        rnn.forEach((layer, i) => {
          const initialState = options.state?.[i];
          const out = layer.apply(params.rnn[i] as Params, x as tf.Tensor3D, {
            ...(mask === undefined ? {} : { mask }),
            ...(initialState === undefined ? {} : { initialState }),
          });
          x = out.output;
          mask = out.mask;
          state.push(out.state as Carry);
        });
        // Padded steps repeat the last real output (maskedOutput 'previous'), so the maximum
        // over all steps is the maximum over the real ones.
        if (pooled) x = tf.max(x, 1);
        return { output: head.apply(params.head, x).output, state } as unknown as tf.TensorContainerObject;
      }) as unknown as { output: tf.Tensor; state: NetState };
    },
  };
}
