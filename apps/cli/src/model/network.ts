import { cellFromConfig } from '@recur/cells';
import type { Cell, Rng } from '@recur/core';
import {
  type AnyLayer,
  dense,
  dropout,
  embedding,
  type ParamTree,
  recurrent,
  type StackedState,
  stacked,
} from '@recur/layers';
import type * as tf from '@tensorflow/tfjs-core';
import { BLOCK_CELLS, blockStack, isBlockCell } from './blocks.js';
import { lastStep } from './last-step.js';
import { maxOverTime } from './max-over-time.js';
import { specWeightCount } from './params.js';
import { tdnnStack } from './tdnn-stack.js';

/** The classic cells, one recurrent layer each: what every recurrent task takes. */
export const CELL_CHOICES = ['lstm', 'gru', 'elman'] as const;
export type CellChoice = (typeof CELL_CHOICES)[number];
/** Every `--cell`: the classic cells and the residual blocks of `blocks.ts` (char-lm and classify). */
export const ALL_CELL_CHOICES = [...CELL_CHOICES, ...BLOCK_CELLS] as const;
export type AnyCellChoice = (typeof ALL_CELL_CHOICES)[number];

/** What a network's input is: token ids looked up in an embedding, or feature vectors. */
export type NetworkInput =
  | { readonly kind: 'tokens'; readonly vocabSize: number; readonly dim: number; readonly paddingId?: number }
  | { readonly kind: 'features'; readonly size: number };

/**
 * Input → `layers` recurrent layers (or residual blocks, see `blocks.ts`) of `units` → a
 * dense head of `outputs`, on every step (`perStep`: a language model) or once per
 * sequence: the last real step, or the maximum over the steps (`pool: 'max'`).
 * Everything that fixes the weights' shapes, so a model file can rebuild the network.
 */
export interface NetworkConfig {
  readonly input: NetworkInput;
  readonly cell: AnyCellChoice;
  readonly layers: number;
  readonly units: number;
  readonly outputs: number;
  readonly perStep: boolean;
  readonly pool?: 'last' | 'max';
  /** `'tdnn'`: time-delay layers (`tdnn-stack.ts`) in place of the recurrent ones; `cell` is then unused. */
  readonly model?: 'tdnn';
  /**
   * Dropout rate on the input of every body layer and of the head while training, as
   * Zaremba et al. (2014) regularise stacked LSTMs (the non-recurrent connections only).
   * Adds weightless dropout layers to the stack; absent from older model files.
   */
  readonly dropout?: number;
}

/** The weights: one entry per layer of the stack, as `stacked` makes them. */
export type NetworkParams = readonly ParamTree[];

export interface ApplyNetworkOptions {
  /** `[batch, time]`, 1 for real steps (token inputs with a `paddingId` make their own). */
  readonly mask?: tf.Tensor2D;
  /** The state a previous call returned: the sequences go on from there. */
  readonly state?: StackedState;
  /** Training mode: dropout on (needs `rng`). Default `false`. */
  readonly training?: boolean;
  /** Randomness for the dropout masks. */
  readonly rng?: Rng;
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

/**
 * What sits between the input and the head: the layers, their weights (counted from the
 * sizes, before any is allocated), whether they return every step (`sequences`) or one
 * per sequence, and whether padded steps repeat the last real output (recurrent layers'
 * maskedOutput 'previous') or hold other values (blocks, time-delay layers).
 */
export interface NetworkBody {
  readonly layers: readonly AnyLayer[];
  readonly weights: number;
  readonly sequences: boolean;
  readonly repeatsLastOnPadding: boolean;
}

/** The network `config` describes, composed from `@recur/layers`' `stacked`. */
export function network(config: NetworkConfig): Network {
  const { input, outputs, perStep } = config;
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
  const body =
    config.model === 'tdnn'
      ? tdnnStack(config, firstSize)
      : isBlockCell(config.cell)
        ? blockStack(config.cell, config.layers, firstSize, config.units)
        : recurrentBody(config, firstSize);
  const head: AnyLayer[] = [];
  if (!perStep && config.pool === 'max') {
    // A recurrent layer repeats its last real output over padded steps, so the maximum
    // over every step is already the maximum over the real ones (and the numbers stay
    // those of the first wave); blocks and time-delay layers emit other values there.
    head.push(maxOverTime({ masked: !body.repeatsLastOnPadding }) as unknown as AnyLayer);
  } else if (!perStep && body.sequences) {
    head.push(lastStep() as unknown as AnyLayer);
  }
  const rate = config.dropout ?? 0;
  const dropped = (layers: readonly AnyLayer[]) =>
    rate > 0 ? layers.flatMap((layer) => [dropout(rate) as AnyLayer, layer]) : layers;
  head.push(...dropped([dense({ inputSize: config.units, units: outputs }) as AnyLayer]));
  const net = stacked([...parts, ...dropped(body.layers), ...head]);
  const parameterCount = body.weights + specWeightCount([...parts, ...head]);
  return {
    config,
    parameterCount,
    layer: net as unknown as AnyLayer,
    init: (rng) => net.init(rng) as NetworkParams,
    apply(params, inputs, options = {}) {
      const out = net.apply(params as never, inputs, {
        ...(options.mask === undefined ? {} : { mask: options.mask }),
        ...(options.state === undefined ? {} : { initialState: options.state as never }),
        ...(options.training === undefined ? {} : { training: options.training }),
        ...(options.rng === undefined ? {} : { rng: options.rng }),
      });
      if (out.mask !== undefined) out.mask.dispose();
      return { output: out.output as tf.Tensor, state: (out.state ?? []) as StackedState };
    },
  };
}

/**
 * `layers` recurrent layers of a classic cell; the last returns one step unless the head
 * reads every step (a language model, or the maximum over time).
 */
function recurrentBody(config: NetworkConfig, firstSize: number): NetworkBody {
  const { layers, units, perStep } = config;
  const everyStep = perStep || config.pool === 'max';
  const recurrentLayers = Array.from({ length: layers }, (_, i) => {
    const cell = cellFromConfig({
      kind: config.cell as CellChoice,
      inputSize: i === 0 ? firstSize : units,
      units,
    }) as unknown as Cell;
    return recurrent(cell, { returnSequences: everyStep || i < layers - 1, returnState: true }) as AnyLayer;
  });
  return {
    layers: recurrentLayers,
    weights: specWeightCount(recurrentLayers),
    sequences: everyStep,
    repeatsLastOnPadding: true,
  };
}
