/**
 * A stack of RWKV-4 blocks (Peng et al. 2023, https://arxiv.org/abs/2305.13048, Fig. 2
 * and §4: the language model is an embedding, then `depth` residual blocks of layer norm,
 * time mixing and channel mixing, then a head). Each block is `@recur/cells`' `rwkv`
 * cell, which already holds both layer norms and both residuals, run over time by
 * `recurrent`: training goes through its whole-sequence form (the fused WKV kernel),
 * generation through its step, and masks, TBPTT state and checkpoints work as for any
 * recurrent layer.
 *
 * ```ts
 * const lm = stacked([
 *   embedding({ vocabSize: 96, dim: 64 }),
 *   rwkvStack({ inputSize: 64, units: 64, depth: 4 }),
 *   timeDistributed(dense({ inputSize: 64, units: 96 })),
 * ]);
 * ```
 */

import { type RwkvCell, type RwkvConfig, rwkv } from '@recur/cells';
import type { MaskedOutput } from '@recur/core';
import { checkConfig, checkPositiveInteger } from '@recur/core';
import { type RecurrentLayer, recurrent } from './recurrent.js';
import { type StackedLayer, stacked } from './stacked.js';

/** Options of `rwkvStack`: every block's `rwkv` cell options, plus the number of blocks and what padded steps emit. */
export interface RwkvStackConfig extends Omit<RwkvConfig, 'inputSize' | 'units'> {
  /** Features per input step; the first block projects them to `units` when they differ. Required. */
  readonly inputSize: number;
  /** Width of the residual stream in every block. Required. */
  readonly units: number;
  /** Number of blocks. Required. */
  readonly depth: number;
  /** What padded steps emit (see `recurrent`). Default `'previous'`. */
  readonly maskedOutput?: MaskedOutput;
}

/** One block of `rwkvStack`: an `rwkv` cell run over time by `recurrent`, returning every step. */
export type RwkvBlock = RecurrentLayer<ReturnType<RwkvCell['initCarry']>, ReturnType<RwkvCell['init']>, true>;

const FIELDS = [
  'inputSize',
  'units',
  'depth',
  'ffnMultiplier',
  'layerNormEpsilon',
  'kernelInitializer',
  'maskedOutput',
];

/** `depth` RWKV-4 blocks over `[batch, time, inputSize]`, returning every step `[batch, time, units]`. */
export function rwkvStack(config: RwkvStackConfig): StackedLayer<readonly RwkvBlock[]> {
  checkConfig(config, FIELDS, 'rwkvStack config');
  const depth = checkPositiveInteger(config.depth, 'rwkvStack config.depth');
  const { depth: _depth, maskedOutput, ...cellConfig } = config;
  const blocks = Array.from({ length: depth }, (_, i) =>
    recurrent(rwkv({ ...cellConfig, inputSize: i === 0 ? config.inputSize : config.units }), {
      returnSequences: true,
      // The carries are what TBPTT and streaming generation hand from call to call.
      returnState: true,
      ...(maskedOutput === undefined ? {} : { maskedOutput }),
    }),
  );
  return stacked(blocks);
}
