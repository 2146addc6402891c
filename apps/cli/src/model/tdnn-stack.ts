/**
 * The time-delay stack behind `--model tdnn` (Waibel et al. 1989; Peddinti, Povey &
 * Khudanpur 2015, §3): a first layer over a contiguous context of 5 frames,
 * then layers that splice 3 frames spread ever wider (dilation 3, 9, 27, …), so `--layers
 * n` of them see 5 + 6 + 18 + … frames, as Peddinti's network widens its context layer by
 * layer with sub-sampled splicing. Each layer has `units` ReLU units, 'same' padding and
 * no stride, so every frame keeps an output and masks pass through.
 *
 * A head that reads one frame per sequence (forecast, anomaly: the last) gets causal
 * contexts (offsets −4…0, then {−2, −1, 0}·dilation), so its frame sees the most of the
 * past and nothing of the zeros past the end; a head that pools every frame (classify:
 * the maximum) gets centred ones (−2…2, then {−1, 0, 1}·dilation, e.g. {−3, 0, 3}).
 */
import { type AnyLayer, type TdnnContext, tdnn } from '@recur/layers';
import type { NetworkBody, NetworkConfig } from './network.js';

/** `--layers` of `--model tdnn` when not given: 5 + 6 + 18 = 29 frames, about a look-back. */
export const TDNN_LAYERS = 3;
/** Frames of the first layer's contiguous context. */
const FIRST_WIDTH = 5;
/** Growth of the dilation from one spliced layer to the next. */
const DILATION_GROWTH = 3;

/** Layer `i`'s context and dilation. */
function contextOf(i: number, causal: boolean): { context: TdnnContext; dilation: number } {
  if (i === 0) {
    const from = causal ? 1 - FIRST_WIDTH : -(FIRST_WIDTH - 1) / 2;
    return { context: { kind: 'range', from, to: from + FIRST_WIDTH - 1 }, dilation: 1 };
  }
  return {
    context: { kind: 'offsets', offsets: causal ? [-2, -1, 0] : [-1, 0, 1] },
    dilation: DILATION_GROWTH ** i,
  };
}

/** `config.layers` time-delay layers of `config.units` over `inputSize` features, returning every frame. */
export function tdnnStack(config: NetworkConfig, inputSize: number): NetworkBody {
  const { layers, units } = config;
  const causal = !config.perStep && config.pool !== 'max';
  let weights = 0;
  const stack = Array.from({ length: layers }, (_, i) => {
    const { context, dilation } = contextOf(i, causal);
    const layer = tdnn({ inputSize: i === 0 ? inputSize : units, units, context, dilation });
    // kernel [K·in, units] and bias [units] (tdnn has no Keras weight order to count from).
    weights += (layer.offsets.length * (i === 0 ? inputSize : units) + 1) * units;
    return layer as unknown as AnyLayer;
  });
  return { layers: stack, weights, sequences: true, repeatsLastOnPadding: false };
}
