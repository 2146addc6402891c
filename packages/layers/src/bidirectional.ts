/**
 * Bidirectional recurrent layer (Schuster & Paliwal 1997; Keras `Bidirectional`): the
 * same cell run forward and, with its own weights, backward over the sequence, the two
 * outputs merged. The backward run keeps input time order (scan's `keepOrder`), so
 * `output[:, t]` of both directions belongs to step t, as Keras aligns them.
 */
import {
  badArgument,
  type Carry,
  checkCarry,
  type MaskedOutput,
  maskedOutputOption,
  type Params,
  type Rng,
} from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';
import { checkApplyOptions, checkBatchSize, checkParams, checkRng, tensorShape } from './internal/checks.js';
import { checkConfig } from './internal/config.js';
import { paramsFromSpecs, prefixSpecs } from './keras-weights.js';
import type { ApplyOptions, BidirectionalState, Layer, LayerOutput, WeightSpec } from './layer.js';
import { type RecurrentLayer, recurrent, type SequenceOutput } from './recurrent.js';

export const MERGE_MODES = ['concat', 'sum', 'ave', 'mul', 'none'] as const;
/** How the two directions combine: concatenated features, their sum, mean or product, or both returned. */
export type MergeMode = (typeof MERGE_MODES)[number];

export interface BidirectionalOptions<M extends MergeMode = MergeMode> {
  /** Default `'concat'` (as Keras). */
  readonly merge?: M;
  /**
   * What masked steps emit in both directions. Default `'zeros'`, as Keras
   * `Bidirectional` (`zero_output_for_mask`); tfjs-layers repeats the previous output
   * (`'previous'`).
   */
  readonly maskedOutput?: MaskedOutput;
}

export type BidirectionalParams<P extends Params = Params> = { readonly forward: P; readonly backward: P };

/** `[forward, backward]` with merge `'none'`, else one tensor. */
export type MergedOutput<M extends MergeMode, O> = [M] extends ['none'] ? readonly [O, O] : O;

export type BidirectionalLayer<
  C extends Carry = Carry,
  P extends Params = Params,
  RS extends boolean = boolean,
  M extends MergeMode = MergeMode,
> = Layer<BidirectionalParams<P>, BidirectionalState<C>, tf.Tensor3D, MergedOutput<M, SequenceOutput<RS>>> & {
  readonly kind: 'bidirectional';
  readonly merge: M;
  readonly forward: RecurrentLayer<C, P, RS>;
  readonly backward: RecurrentLayer<C, P, RS>;
};

/**
 * Wraps a `recurrent` layer: its options (returnSequences, returnState, dropout...) hold
 * for both directions. Params are `{ forward, backward }`, each the cell's; the state is
 * `{ forward, backward }`, each a carry.
 */
export function bidirectional<C extends Carry, P extends Params, RS extends boolean, M extends MergeMode = 'concat'>(
  layer: RecurrentLayer<C, P, RS>,
  options: BidirectionalOptions<M> = {},
): BidirectionalLayer<C, P, RS, M> {
  if (layer === null || typeof layer !== 'object' || layer.kind !== 'recurrent') {
    throw badArgument('BAD_CONFIG', 'layer', 'a recurrent layer (recurrent(cell, options))', layer);
  }
  checkConfig(options, ['merge', 'maskedOutput'], 'options');
  const merge = (options.merge ?? 'concat') as M;
  if (!(MERGE_MODES as readonly string[]).includes(merge)) {
    throw badArgument('BAD_CONFIG', 'options.merge', `one of ${MERGE_MODES.map((m) => `'${m}'`).join(', ')}`, merge);
  }
  // Keras' Bidirectional zeroes masked outputs (`zero_output_for_mask`), unlike its plain RNN.
  const maskedOutput = maskedOutputOption(options.maskedOutput ?? 'zeros');
  const { cell } = layer;
  const base = { ...layer.options, maskedOutput };
  const forward = recurrent(cell, base);
  // Keras runs the backward copy with goBackwards flipped and reverses its sequence
  // output; keepOrder does that reversal inside scan. With an inner layer already
  // reversed (and not keeping order) the forward output is in reversed time, so the
  // backward one must be too.
  const flipBackward = base.reverse && !base.keepOrder && base.returnSequences;
  const backward = recurrent(cell, { ...base, reverse: !base.reverse, keepOrder: !base.reverse });
  const units = cell.outputSize;
  const outputSize = merge === 'concat' ? 2 * units : units;
  const { returnSequences, returnState } = base;
  const specs = (): WeightSpec[] => [
    ...prefixSpecs(forward.kerasWeightSpec(), 'forward', 'forward'),
    ...prefixSpecs(backward.kerasWeightSpec(), 'backward', 'backward'),
  ];
  // Checked up front (naming the direction) when the cell has a Keras layout.
  let paramSpecs: readonly WeightSpec[] | undefined;
  try {
    paramSpecs = specs();
  } catch {
    paramSpecs = undefined;
  }

  function checkInput(
    inputShape: readonly number[],
    opts: ApplyOptions<BidirectionalState<C>> = {},
    argument = 'input',
  ): number[] {
    checkApplyOptions('bidirectional', opts, true);
    const state = opts.initialState;
    if (
      state !== undefined &&
      (state === null || typeof state !== 'object' || state.forward === undefined || state.backward === undefined)
    ) {
      throw badArgument('SHAPE_MISMATCH', 'options.initialState', '{ forward, backward }, one carry each', state);
    }
    const shape = forward.checkInput(inputShape, directionOptions<C>(opts, undefined), argument);
    if (state !== undefined) {
      checkCarry(cell, state.forward, inputShape[0] as number, 'options.initialState.forward');
      checkCarry(cell, state.backward, inputShape[0] as number, 'options.initialState.backward');
    }
    return [...shape.slice(0, -1), outputSize];
  }

  return Object.freeze({
    kind: 'bidirectional' as const,
    merge,
    forward,
    backward,
    inputSize: cell.inputSize,
    outputSize,
    init(rng: Rng): BidirectionalParams<P> {
      checkRng(rng, 'bidirectional init rng');
      const f = cell.init(rng);
      return { forward: f, backward: cell.init(rng) };
    },
    apply(
      params: BidirectionalParams<P>,
      input: tf.Tensor3D,
      opts: ApplyOptions<BidirectionalState<C>> = {},
    ): LayerOutput<MergedOutput<M, SequenceOutput<RS>>, BidirectionalState<C>> {
      checkInput(tensorShape(input, 'input', `a float32 tensor of shape [batch, time, ${cell.inputSize}]`), opts);
      if (params === null || typeof params !== 'object') {
        throw badArgument('BAD_CONFIG', 'params', '{ forward, backward }', params);
      }
      if (paramSpecs !== undefined) checkParams(params, paramSpecs);
      const state = opts.initialState;
      return tf.tidy(() => {
        const f = forward.apply(params.forward, input, directionOptions(opts, state?.forward));
        const b = backward.apply(params.backward, input, directionOptions(opts, state?.backward));
        const y = f.output as tf.Tensor;
        const yb = flipBackward ? tf.reverse(b.output as tf.Tensor, 1) : (b.output as tf.Tensor);
        const output = mergeOutputs(merge, y, yb);
        const out: Record<string, unknown> = { output };
        if (returnSequences && f.mask !== undefined) out.mask = f.mask;
        if (returnState) out.state = { forward: f.state, backward: b.state };
        return out as tf.TensorContainerObject;
      }) as unknown as LayerOutput<MergedOutput<M, SequenceOutput<RS>>, BidirectionalState<C>>;
    },
    checkInput,
    zeroState: (batch: number): BidirectionalState<C> => {
      const n = checkBatchSize(batch);
      return { forward: cell.initCarry(n), backward: cell.initCarry(n) };
    },
    kerasWeightSpec: specs,
    fromKerasWeights: (weights: readonly tf.Tensor[]) => paramsFromSpecs<BidirectionalParams<P>>(specs(), weights),
  });
}

function directionOptions<C extends Carry>(opts: ApplyOptions<unknown>, initialState: C | undefined): ApplyOptions<C> {
  return {
    ...(opts.training === undefined ? {} : { training: opts.training }),
    ...(opts.rng === undefined ? {} : { rng: opts.rng }),
    ...(opts.mask === undefined ? {} : { mask: opts.mask }),
    ...(initialState === undefined ? {} : { initialState }),
  };
}

function mergeOutputs(merge: MergeMode, y: tf.Tensor, yb: tf.Tensor): tf.Tensor | readonly [tf.Tensor, tf.Tensor] {
  switch (merge) {
    case 'concat':
      return tf.concat([y, yb], -1);
    case 'sum':
      return tf.add(y, yb);
    case 'ave':
      return tf.mul(tf.add(y, yb), 0.5);
    case 'mul':
      return tf.mul(y, yb);
    case 'none':
      return [y, yb];
  }
}
