import { cellFromConfig } from '@recur/cells';
import type { Cell, Rng } from '@recur/core';
import { type AnyLayer, dense, embedding, type ParamTree, recurrent, type StackedState, stacked } from '@recur/layers';
import type * as tf from '@tensorflow/tfjs-core';
import { maxOverTime } from './max-over-time.js';

export const CELL_CHOICES = ['lstm', 'gru', 'elman'] as const;
export type CellChoice = (typeof CELL_CHOICES)[number];

/** What a network's input is: token ids looked up in an embedding, or feature vectors. */
export type NetworkInput =
  | { readonly kind: 'tokens'; readonly vocabSize: number; readonly dim: number; readonly paddingId?: number }
  | { readonly kind: 'features'; readonly size: number };

/**
 * Input → `layers` recurrent layers of `units` → a dense head of `outputs`, on every step
 * (`perStep`: a language model) or once per sequence: the last real step, or the maximum
 * over the steps (`pool: 'max'`). Everything that fixes the weights' shapes, so a model
 * file can rebuild the network.
 */
export interface NetworkConfig {
  readonly input: NetworkInput;
  readonly cell: CellChoice;
  readonly layers: number;
  readonly units: number;
  readonly outputs: number;
  readonly perStep: boolean;
  readonly pool?: 'last' | 'max';
}

/** The weights: one entry per layer of the stack, as `stacked` makes them. */
export type NetworkParams = readonly ParamTree[];

export interface ApplyNetworkOptions {
  /** `[batch, time]`, 1 for real steps (token inputs with a `paddingId` make their own). */
  readonly mask?: tf.Tensor2D;
  /** The state a previous call returned: the sequences go on from there. */
  readonly state?: StackedState;
}

export interface Network {
  readonly config: NetworkConfig;
  /** Weights in the order the layers draw them from `rng`. */
  init(rng: Rng): NetworkParams;
  /**
   * `[batch, time]` int32 ids or `[batch, time, features]` → `[batch, time, outputs]`
   * (`perStep`) or `[batch, outputs]`, and the stack's state (the recurrent layers' own
   * carries, `undefined` for the other layers). The caller owns both.
   */
  apply(params: NetworkParams, inputs: tf.Tensor, options?: ApplyNetworkOptions): NetworkOutput;
  /** Number of weights, counted from the layers' weight shapes without allocating any. */
  readonly parameterCount: number;
  /** The `stacked` layer itself (its params are what `init` makes), for the converters of `recur export`. */
  readonly layer: AnyLayer;
}

export interface NetworkOutput {
  readonly output: tf.Tensor;
  readonly state: StackedState;
}

/** The network `config` describes, composed from `@recur/layers`' `stacked`. */
export function network(config: NetworkConfig): Network {
  const { input, layers, units, outputs, perStep } = config;
  const pooled = !perStep && config.pool === 'max';
  const parts: AnyLayer[] = [];
  if (input.kind === 'tokens') {
    parts.push(
      embedding({
        vocabSize: input.vocabSize,
        dim: input.dim,
        ...(input.paddingId === undefined ? {} : { paddingId: input.paddingId }),
      }) as AnyLayer,
    );
  }
  const firstSize = input.kind === 'tokens' ? input.dim : input.size;
  for (let i = 0; i < layers; i++) {
    const cell = cellFromConfig({
      kind: config.cell,
      inputSize: i === 0 ? firstSize : units,
      units,
    }) as unknown as Cell;
    parts.push(
      recurrent(cell, { returnSequences: perStep || pooled || i < layers - 1, returnState: true }) as AnyLayer,
    );
  }
  if (pooled) parts.push(maxOverTime() as unknown as AnyLayer);
  parts.push(dense({ inputSize: units, units: outputs }) as AnyLayer);
  const net = stacked(parts);
  const parameterCount = net.kerasWeightSpec().reduce((n, spec) => n + spec.shape.reduce((a, d) => a * d, 1), 0);
  return {
    config,
    parameterCount,
    layer: net as unknown as AnyLayer,
    init: (rng) => net.init(rng) as NetworkParams,
    apply(params, inputs, options = {}) {
      const out = net.apply(params as never, inputs, {
        ...(options.mask === undefined ? {} : { mask: options.mask }),
        ...(options.state === undefined ? {} : { initialState: options.state as never }),
      });
      if (out.mask !== undefined) out.mask.dispose();
      return { output: out.output as tf.Tensor, state: (out.state ?? []) as StackedState };
    },
  };
}
