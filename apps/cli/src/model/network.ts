import { cellFromConfig } from '@recur/cells';
import { badArgument, type Cell, type Rng } from '@recur/core';
import { type AnyLayer, dense, embedding, type ParamTree, recurrent, type StackedState, stacked } from '@recur/layers';
import type * as tf from '@tensorflow/tfjs-core';
import { BLOCK_CELLS, type BlockCell, blockLayer, blockReads, blockWeightCount, isBlockCell } from './blocks.js';
import { maxOverTime } from './max-over-time.js';

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
  const { input, outputs, perStep } = config;
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
  const { layers: body, weights } = isBlockCell(config.cell)
    ? blockBody(config, firstSize)
    : { layers: recurrentBody(config, firstSize), weights: 0 };
  parts.push(...body);
  // Blocks emit their residual stream, not their last output, on padded steps: the
  // maximum must skip those steps by the mask.
  if (pooled) parts.push(maxOverTime({ masked: isBlockCell(config.cell) }) as unknown as AnyLayer);
  parts.push(dense({ inputSize: config.units, units: outputs }) as AnyLayer);
  const net = stacked(parts);
  const countable = isBlockCell(config.cell) ? parts.filter((p) => !body.includes(p)) : parts;
  const parameterCount = countable.reduce(
    (n, part) => n + part.kerasWeightSpec().reduce((m, spec) => m + spec.shape.reduce((a, d) => a * d, 1), 0),
    weights,
  );
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

/** `layers` recurrent layers of a classic cell; the last returns one step unless the head reads every step. */
function recurrentBody(config: NetworkConfig, firstSize: number): AnyLayer[] {
  const { layers, units, perStep } = config;
  const everyStep = perStep || config.pool === 'max';
  return Array.from({ length: layers }, (_, i) => {
    const cell = cellFromConfig({
      kind: config.cell as CellChoice,
      inputSize: i === 0 ? firstSize : units,
      units,
    }) as unknown as Cell;
    return recurrent(cell, { returnSequences: everyStep || i < layers - 1, returnState: true }) as AnyLayer;
  });
}

/**
 * `layers` residual blocks of `units` (a projection first where the block cannot read the
 * input's width), and their weights. Blocks return every step: a head on every step or
 * on their maximum over time.
 */
function blockBody(config: NetworkConfig, firstSize: number): { layers: AnyLayer[]; weights: number } {
  const { layers, units } = config;
  const kind = config.cell as BlockCell;
  if (!config.perStep && config.pool !== 'max') {
    throw badArgument(
      'BAD_CONFIG',
      'config.pool',
      `'max' for a network of ${kind} blocks with one output`,
      config.pool,
    );
  }
  const out: AnyLayer[] = [];
  let weights = 0;
  if (!blockReads(kind, firstSize, units)) {
    const projection = dense({ inputSize: firstSize, units }) as AnyLayer;
    out.push(projection);
    weights += (firstSize + 1) * units;
  }
  const inputSize = out.length > 0 ? units : firstSize;
  for (let i = 0; i < layers; i++) {
    out.push(blockLayer(kind, i === 0 ? inputSize : units, units));
    weights += blockWeightCount(kind, i === 0 ? inputSize : units, units);
  }
  return { layers: out, weights };
}
