import type { Carry, Rng } from '@recur/core';
import type * as tf from '@tensorflow/tfjs-core';

/**
 * A layer's weights: plain records (or arrays, for `stacked`) nested down to tensors.
 * Made by `init`, owned by the caller, passed to `apply` (as `tf.Variable`s to train).
 */
export type ParamTree = tf.Tensor | readonly ParamTree[] | { readonly [name: string]: ParamTree };

/** Recurrent state a layer can return and take back: a cell's carry, or a composition of them. */
export type LayerState = Carry | BidirectionalState | StackedState;

/** State of a `bidirectional` layer: one carry per direction. */
export interface BidirectionalState<C extends Carry = Carry> {
  readonly forward: C;
  readonly backward: C;
}

/** State of a `stacked` layer: one entry per sub-layer, `undefined` for stateless ones. */
export type StackedState = readonly (LayerState | undefined)[];

/** What `apply` may be told besides the input. */
export interface ApplyOptions<S = LayerState> {
  /** Training mode: dropout, recurrent dropout and zoneout draw random masks. Default `false`. */
  readonly training?: boolean;
  /** Source of the random masks; required when `training` is true and the layer has a non-zero rate. */
  readonly rng?: Rng;
  /**
   * `[batch, time]`, 1 (or true) for real steps, 0 for padding; any dtype. Sequence layers
   * skip padded steps; element-wise layers pass it on.
   */
  readonly mask?: tf.Tensor2D;
  /** Initial recurrent state (zeros when absent), e.g. the `state` a previous call returned. */
  readonly initialState?: S;
}

/**
 * What `apply` returns. Every tensor in it is new and owned by the caller (the mask
 * too, even when it is a copy of the input's), so `tf.dispose(result)` frees it all.
 */
export interface LayerOutput<O = tf.Tensor, S = LayerState> {
  readonly output: O;
  /** `[batch, time]` mask for the next layer, when the output still has a time axis and a mask came in (or was made). */
  readonly mask?: tf.Tensor2D;
  /** Final recurrent state, when the layer was built with `returnState: true`. */
  readonly state?: S;
}

/** One weight in tfjs-layers / Keras `getWeights()` order: where it lives in the params and its shape. */
export interface WeightSpec {
  /** Keras-style name, e.g. `'backward/recurrent_kernel'`. */
  readonly name: string;
  /** Path from the params root to the tensor. */
  readonly path: readonly (string | number)[];
  readonly shape: readonly number[];
}

/**
 * A layer is a pair of pure functions over explicit weights: `init(rng) → params` and
 * `apply(params, input, options) → { output, mask?, state? }`. It holds no tensors and
 * no mutable fields, so one layer value can serve many parameter sets.
 *
 * `I` and `O` are the input and output tensor types, `S` the state it takes and returns.
 */
export interface Layer<P extends ParamTree = ParamTree, S = LayerState, I = tf.Tensor, O = tf.Tensor> {
  /** Layer family: `'recurrent'`, `'bidirectional'`, `'stacked'`, `'dense'`, ... */
  readonly kind: string;
  /** Features of the input's last axis (`embedding`: the vocabulary size); `undefined` when any size is accepted. */
  readonly inputSize: number | undefined;
  /** Features of the output's last axis; `undefined` when equal to the input's. */
  readonly outputSize: number | undefined;
  /** Fresh weights. The caller owns (and disposes) them. */
  init(rng: Rng): P;
  /**
   * Runs the layer. Inputs are neither kept nor disposed; the caller owns the result.
   * Throws `RecurError` naming the argument before any tfjs op when a shape is wrong.
   */
  apply(params: P, input: I, options?: ApplyOptions<S>): LayerOutput<O, S>;
  /**
   * Checks an input of shape `inputShape` and the apply `options` without any tfjs op
   * (throws `RecurError` naming `argument`, default `'input'`, or the option) and returns
   * the output shape; for `bidirectional` with merge `'none'`, that of each output.
   * Containers use it to check every part before running any.
   */
  checkInput(inputShape: readonly number[], options?: ApplyOptions<S>, argument?: string): number[];
  /** The zero state for `batch` sequences (`undefined` for stateless layers); the Keras `resetStates()`. */
  zeroState(batch: number): S;
  /**
   * The weights in tfjs-layers `layer.getWeights()` order (throws `RecurError('NOT_SUPPORTED')`
   * for configurations Keras has no layer for). Used by `toKerasWeights` / `fromKerasWeights`.
   */
  kerasWeightSpec(): readonly WeightSpec[];
  /**
   * Params from tensors in `kerasWeightSpec()` order, already checked against it (use the
   * checked `fromKerasWeights(layer, weights)` instead). Copies them; the caller owns the result.
   */
  fromKerasWeights(weights: readonly tf.Tensor[]): P;
}

/**
 * Any layer, for containers (`stacked`) that accept them all: `apply`'s parameters are
 * compared bivariantly (method syntax), so every `Layer<P, S, I, O>` is one.
 */
export type AnyLayer = Layer<ParamTree, unknown, unknown, unknown>;
