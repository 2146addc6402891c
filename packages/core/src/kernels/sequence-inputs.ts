/**
 * Inputs shared by the Keras-layout sequence kernels (LSTM, GRU, Elman): B batch, T time,
 * I input size, H units, G gates.
 * - `x [B,T,I]` batch-major; `kernel [I,G·H]`, `recurrentKernel [H,G·H]`, `bias [G·H]` in
 *   Keras / tfjs-layers layout and gate order (LSTM i, f, c, o; GRU z, r, h).
 * - states `[B,H]`; `mask [B,T]` float32, 1 = real step, 0 = padding (absent: all real).
 *   Padded steps keep the previous state.
 * - `ys [B,T,H]`: the output at each input step: the new h at real steps; at padded steps
 *   zeros (`maskedOutput: 'zeros'`) or the output of the last real step processed, zeros
 *   before the first (`'previous'`).
 * - Workspaces are time-major `[T,B,·]`, indexed by input time; values at padded steps
 *   are unspecified.
 */
import * as tf from '@tensorflow/tfjs-core';
import { expectFloatTensor, expectOptionalShape, expectShape } from './check.js';
import type { ExampleSource } from './descriptor.js';
import type { GatedSequenceAttrs, SequenceKernelCommonAttrs } from './sequence-attrs.js';

export interface RecurrentLayout {
  /** Gate blocks in the weights: LSTM 4, GRU 3, Elman 1. */
  readonly gates: number;
  /** State inputs, each `[B,H]`. */
  readonly states: readonly string[];
  /** Whether `bias` may be `[2, G·H]` (input and recurrent bias, Keras' GRU with resetAfter). */
  readonly twoRowBias: boolean;
}

/** Checks the inputs of a Keras-layout kernel against `x` and `recurrentKernel`. */
export function validateRecurrentInputs(kernel: string, inputs: object, layout: RecurrentLayout): void {
  const given = inputs as Record<string, unknown>;
  const x = expectFloatTensor(kernel, 'x', given.x, 3);
  const recurrent = expectFloatTensor(kernel, 'recurrentKernel', given.recurrentKernel, 2);
  const [batch, time, features] = x.shape as [number, number, number];
  const units = recurrent.shape[0] as number;
  const width = layout.gates * units;
  expectShape(kernel, 'recurrentKernel', recurrent, [units, width]);
  expectShape(kernel, 'kernel', given.kernel, [features, width]);
  const bias = expectFloatTensor(kernel, 'bias', given.bias, 1, true);
  const twoRows = layout.twoRowBias && bias.rank === 2;
  expectShape(kernel, 'bias', bias, twoRows ? [2, width] : [width]);
  for (const state of layout.states) expectShape(kernel, state, given[state], [batch, units]);
  expectOptionalShape(kernel, 'mask', given.mask, [batch, time]);
}

/** `inputs` with an all-real mask when none was given: a registered kernel always gets one. */
export function withMask<T extends { readonly x: tf.Tensor3D; readonly mask?: tf.Tensor2D }>(
  inputs: T,
): T & { readonly mask: tf.Tensor2D } {
  if (inputs.mask !== undefined) return inputs as T & { readonly mask: tf.Tensor2D };
  const [batch, time] = inputs.x.shape;
  return { ...inputs, mask: tf.ones([batch, time]) };
}

/** Random Keras-layout inputs: x twice as wide as the weights and states. */
export function recurrentExample(source: ExampleSource, layout: RecurrentLayout, twoRowBias: boolean) {
  const batch = source.int('batch', 1, 7);
  const time = source.int('time', 1, 6);
  const features = source.int('input', 1, 9);
  const units = source.int('units', 1, 11);
  const s = source.scale;
  const r = (shape: number[], width = s) => source.uniform(shape, -width, width);
  const width = layout.gates * units;
  const states = Object.fromEntries(layout.states.map((name) => [name, r([batch, units])]));
  return {
    x: r([batch, time, features], 2 * s) as tf.Tensor3D,
    kernel: r([features, width]) as tf.Tensor2D,
    recurrentKernel: r([units, width]) as tf.Tensor2D,
    bias: r(twoRowBias ? [2, width] : [width]),
    ...states,
    mask: source.bool('masked') ? source.mask(batch, time) : undefined,
  };
}

/** Random common attributes; activations among those whose gradients stay tame. */
export function exampleAttrs(source: ExampleSource): SequenceKernelCommonAttrs {
  return {
    activation: source.pick('activation', ['tanh', 'relu', 'softsign'] as const),
    reverse: source.bool('reverse'),
    maskedOutput: source.pick('maskedOutput', ['zeros', 'previous'] as const),
  };
}

/** Random attributes of a gated kernel. */
export function gatedExampleAttrs(source: ExampleSource): GatedSequenceAttrs {
  return {
    ...exampleAttrs(source),
    recurrentActivation: source.pick('recurrentActivation', ['sigmoid', 'hardSigmoid'] as const),
  };
}
