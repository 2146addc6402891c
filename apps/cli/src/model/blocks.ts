/**
 * The residual blocks behind `--cell mingru|minlstm|slstm|mlstm|rwkv`: each model as its
 * paper stacks it in a language model, so `--layers n` means n blocks of width `units`.
 *
 * - minGRU / minLSTM (Feng et al. 2024, §4 and Appendix C): `minRnnBlock`, pre-norm,
 *   residual, with the feed-forward of width 4·d after the recurrence.
 * - sLSTM (Beck et al. 2024, "xLSTM", fig. 9): the post-up-projection block, width ⌈4/3·d⌉.
 * - mLSTM (same paper, fig. 10): the pre-up-projection block, the cell at width 2·d.
 * - RWKV-4 (Peng et al. 2023, fig. 2): the `rwkv` cell already holds both layer norms,
 *   time mixing, channel mixing and both residuals; `recurrent` runs it over time.
 *
 * xLSTM cells get 4 heads (block-diagonal memories, sec. 2.2–2.3) when the width divides by 4, else one.
 * Every block returns every step and its carry, so they stream one token at a time,
 * carry state across TBPTT chunks and keep their state over padded steps.
 */
import { mlstm, rwkv, slstm } from '@recur/cells';
import type { Cell } from '@recur/core';
import { type AnyLayer, dense, minRnnBlock, recurrent, xlstmBlock } from '@recur/layers';
import { finalNorm } from './final-norm.js';
import type { NetworkBody } from './network.js';

/** The cells `--cell` takes for char-lm and classify beyond the classic ones: each one a residual block. */
export const BLOCK_CELLS = ['mingru', 'minlstm', 'slstm', 'mlstm', 'rwkv'] as const;
export type BlockCell = (typeof BLOCK_CELLS)[number];

export function isBlockCell(cell: string): cell is BlockCell {
  return (BLOCK_CELLS as readonly string[]).includes(cell);
}

/**
 * The Adam learning rate of block models when `--lr` is not given. Such models are
 * trained at rates of the order of 1e-3 (an order below the classic cells' 0.02), and
 * at 0.02 a 2-block mLSTM model reached a non-finite gradient within 32 steps on
 * Moby-Dick here, where at this rate it trains on.
 */
export const BLOCK_LEARNING_RATE = 0.003;

/** Heads of an xLSTM cell of `width`: 4 where they divide it evenly. */
const xlstmHeads = (width: number) => (width % 4 === 0 ? 4 : 1);
/** The pre-up-projection factor of the mLSTM block (fig. 10). */
const MLSTM_FACTOR = 2;
/** The post-up-projection factor of the sLSTM block (fig. 9). */
const SLSTM_FACTOR = 4 / 3;

/**
 * Block `i` of a stack of `kind` blocks of width `units`, over `inputSize` features.
 * Only RWKV's first block reads another width (its cell projects the input); the others
 * need `inputSize === units` (`blockStack` puts a projection before them).
 */
function blockLayer(kind: BlockCell, inputSize: number, units: number): AnyLayer {
  switch (kind) {
    case 'mingru':
    case 'minlstm':
      return minRnnBlock({
        cell: kind === 'mingru' ? 'minGru' : 'minLstm',
        size: units,
        returnState: true,
      }) as AnyLayer;
    case 'slstm': {
      const cell = slstm({ inputSize: units, units, heads: xlstmHeads(units) });
      return xlstmBlock('postUpProjection', cell as unknown as Cell, units, { returnState: true }) as AnyLayer;
    }
    case 'mlstm': {
      const wide = MLSTM_FACTOR * units;
      const cell = mlstm({ inputSize: wide, units: wide, heads: xlstmHeads(wide) });
      return xlstmBlock('preUpProjection', cell as unknown as Cell, units, { returnState: true }) as AnyLayer;
    }
    case 'rwkv':
      return recurrent(rwkv({ inputSize, units }) as unknown as Cell, {
        returnSequences: true,
        returnState: true,
      }) as AnyLayer;
  }
}

/**
 * `layers` blocks of `kind` and width `units` over `inputSize` features, with a projection
 * first where the first block cannot read that width (RWKV's cell projects its own), and
 * a layer norm of the residual stream last (`final-norm.ts`).
 */
export function blockStack(kind: BlockCell, layers: number, inputSize: number, units: number): NetworkBody {
  const projected = kind !== 'rwkv' && inputSize !== units;
  const first = projected ? units : inputSize;
  const blocks = Array.from({ length: layers }, (_, i) => blockLayer(kind, i === 0 ? first : units, units));
  const weights = blocks.reduce((n, _, i) => n + blockWeightCount(kind, i === 0 ? first : units, units), 0);
  const projection = projected ? [dense({ inputSize, units }) as AnyLayer] : [];
  return {
    layers: [...projection, ...blocks, finalNorm(units) as unknown as AnyLayer],
    weights: weights + (projected ? (inputSize + 1) * units : 0) + 2 * units,
    sequences: true,
    repeatsLastOnPadding: false,
  };
}

/**
 * Weights of one block, from the sizes alone: the blocks have no Keras weight order to
 * count from, and a size check must come before any weight is allocated.
 * `blocks.test.ts` holds each formula to the weights `init` makes.
 */
function blockWeightCount(kind: BlockCell, inputSize: number, units: number): number {
  const d = units;
  const norm = 2 * d;
  switch (kind) {
    case 'mingru':
    case 'minlstm': {
      // Cell: kernel [d, g·d] and bias, g = 2 (z, h̃) or 3 (f, i, h̃); feed-forward d → 4d → d.
      const gates = kind === 'mingru' ? 2 : 3;
      return norm + gates * d * (d + 1) + norm + (d * 4 * d + 4 * d) + (4 * d * d + d);
    }
    case 'slstm': {
      // Cell: kernel [d, 4d], block-diagonal recurrent kernel [H, d/H, 4d/H], bias [4d]; up, gate, down.
      const w = Math.ceil(SLSTM_FACTOR * d);
      return norm + (4 * d * d + (4 * d * d) / xlstmHeads(d) + 4 * d) + norm + 3 * d * w;
    }
    case 'mlstm': {
      // Cell: kernel [W, 2·H·dk + 2·W + 2·H] and bias, dk = W/H: q, k, v, o, ĩ, f̃; up, gate, down, skip.
      const wide = MLSTM_FACTOR * d;
      const cols = 4 * wide + 2 * xlstmHeads(wide);
      return norm + (wide + 1) * cols + 3 * d * wide + wide;
    }
    case 'rwkv': {
      // r, k, v, o [d, d]; channel mixing r [d, d], k [d, 4d], v [4d, d]; 11 vectors [d]; the input projection.
      const projection = inputSize === d ? 0 : inputSize * d;
      return projection + 5 * d * d + 8 * d * d + 11 * d;
    }
  }
}
