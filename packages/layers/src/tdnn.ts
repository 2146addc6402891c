/**
 * A time-delay layer (Waibel et al. 1989, "Phoneme recognition using time-delay neural
 * networks", §II; Peddinti, Povey & Khudanpur 2015, "A time delay neural network
 * architecture for efficient modeling of long temporal contexts", §3): each output frame
 * sees the input frames at fixed offsets around it, spliced together, through one shared
 * weight matrix:
 *
 *     y_t = act( [x_{t+d·o₁}; x_{t+d·o₂}; …; x_{t+d·o_K}] · W + b )      t = 0, s, 2s, …
 *
 * The offsets o_k are a range (`{ kind: 'range', from: −2, to: 2 }`: o = −2…2) or a set
 * (`{ kind: 'offsets', offsets: [−3, 0, 3] }`, Peddinti's sub-sampled splicing); d is the
 * dilation and s the subsampling stride. With `padding: 'same'` frames outside the sequence
 * (and padded frames under a mask) are zeros and there is an output for every kept t; with
 * `'valid'` only the frames whose whole context lies inside the sequence. W = kernel
 * [K·inputSize, units], offset-major (frame o₁'s features first).
 *
 * Stateless: a causal context (offsets ≤ 0) serves forecasting, any context classification,
 * and `stacked` composes it with recurrent layers.
 */
import {
  type ActivationName,
  badArgument,
  checkBoolean,
  checkConfig,
  checkMask,
  checkPositiveInteger,
  checkRng,
  checkTensor,
  getActivation,
  getInitializer,
  type InitializerName,
  RecurError,
  type Rng,
  resolveActivationName,
  resolveInitializerName,
  shapeMismatch,
} from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';
import { checkApplyOptions } from './apply-options.js';
import type { ApplyOptions, Layer, LayerOutput, WeightSpec } from './layer.js';
import { checkParams } from './param-tree.js';

/** The context offsets: a contiguous range or an explicit set. */
export type TdnnContext =
  | { readonly kind: 'range'; readonly from: number; readonly to: number }
  | { readonly kind: 'offsets'; readonly offsets: readonly number[] };

/** Options of `tdnn`: sizes, context offsets, dilation, stride, padding, activation and initialisers. */
export interface TdnnConfig {
  /** Features per input frame. Required. */
  readonly inputSize: number;
  /** Features per output frame. Required. */
  readonly units: number;
  /** Which frames each output sees, relative to it. Required. */
  readonly context: TdnnContext;
  /** Multiplies every offset. Default 1. */
  readonly dilation?: number;
  /** Keep every `stride`-th output frame (subsampling). Default 1. */
  readonly stride?: number;
  /** `'same'` (zeros outside, an output per frame) or `'valid'` (whole context inside). Default `'same'`. */
  readonly padding?: 'same' | 'valid';
  /** Default `'relu'` (Peddinti et al.). */
  readonly activation?: ActivationName | (string & {});
  /** Default `true`. */
  readonly useBias?: boolean;
  /** Default `'glorotUniform'`. */
  readonly kernelInitializer?: InitializerName | (string & {});
  /** Default `'zeros'`. */
  readonly biasInitializer?: InitializerName | (string & {});
}

/** W = `kernel [K·inputSize, units]`, offset-major (frame o₁'s features first), and `bias [units]` when `useBias`. */
export type TdnnParams = { readonly kernel: tf.Tensor2D; readonly bias?: tf.Tensor1D };

/** A time-delay layer over `[batch, time, inputSize]` to `[batch, outputTime, units]`, as `tdnn` returns it; stateless. */
export type TdnnLayer = Layer<TdnnParams, undefined, tf.Tensor3D, tf.Tensor3D> & {
  readonly kind: 'tdnn';
  readonly config: Readonly<Required<TdnnConfig>>;
  /** The offsets after dilation, ascending. */
  readonly offsets: readonly number[];
};

const FIELDS = [
  'inputSize',
  'units',
  'context',
  'dilation',
  'stride',
  'padding',
  'activation',
  'useBias',
  'kernelInitializer',
  'biasInitializer',
] as const;

/** The context's offsets, checked: integers, distinct, at least one. */
function contextOffsets(context: unknown): number[] {
  const argument = 'tdnn config.context';
  const expected =
    "{ kind: 'range', from, to } with integers from ≤ to, or { kind: 'offsets', offsets: [distinct integers] }";
  const c = context as Partial<{ kind: string; from: unknown; to: unknown; offsets: unknown }> | null;
  if (
    c?.kind === 'range' &&
    Number.isInteger(c.from) &&
    Number.isInteger(c.to) &&
    (c.from as number) <= (c.to as number)
  ) {
    const from = c.from as number;
    return Array.from({ length: (c.to as number) - from + 1 }, (_, k) => from + k);
  }
  if (c?.kind === 'offsets' && Array.isArray(c.offsets) && c.offsets.length > 0 && c.offsets.every(Number.isInteger)) {
    const sorted = [...(c.offsets as number[])].sort((a, b) => a - b);
    if (sorted.every((o, k) => k === 0 || o !== sorted[k - 1])) return sorted;
  }
  throw badArgument('BAD_CONFIG', argument, expected, context);
}

/** A time-delay layer over `[batch, time, inputSize]`. */
export function tdnn(config: TdnnConfig): TdnnLayer {
  checkConfig(config, FIELDS, 'tdnn config');
  const padding = config.padding ?? 'same';
  if (padding !== 'same' && padding !== 'valid') {
    throw badArgument('BAD_CONFIG', 'tdnn config.padding', "'same' or 'valid'", padding);
  }
  const full = Object.freeze({
    inputSize: checkPositiveInteger(config.inputSize, 'tdnn config.inputSize'),
    units: checkPositiveInteger(config.units, 'tdnn config.units'),
    context: config.context,
    dilation: checkPositiveInteger(config.dilation ?? 1, 'tdnn config.dilation'),
    stride: checkPositiveInteger(config.stride ?? 1, 'tdnn config.stride'),
    padding,
    activation: resolveActivationName(config.activation ?? 'relu', 'tdnn config.activation'),
    useBias: checkBoolean(config.useBias, 'tdnn config.useBias', true),
    kernelInitializer: resolveInitializerName(
      config.kernelInitializer ?? 'glorotUniform',
      'tdnn config.kernelInitializer',
    ),
    biasInitializer: resolveInitializerName(config.biasInitializer ?? 'zeros', 'tdnn config.biasInitializer'),
  });
  const { inputSize, units, stride, useBias } = full;
  const offsets = contextOffsets(config.context).map((o) => o * full.dilation);
  const first = offsets[0] as number;
  const last = offsets[offsets.length - 1] as number;
  const act = getActivation(full.activation);
  const spec: readonly WeightSpec[] = [
    { name: 'kernel', path: ['kernel'], shape: [offsets.length * inputSize, units] },
    ...(useBias ? [{ name: 'bias', path: ['bias'], shape: [units] }] : []),
  ];

  /** The input frames t with an output: every t ('same') or those with the whole context inside ('valid'). */
  function frames(time: number): { start: number; count: number } {
    const start = padding === 'same' ? 0 : Math.max(0, -first);
    const end = padding === 'same' ? time : time - Math.max(0, last);
    return { start, count: end > start ? Math.ceil((end - start) / stride) : 0 };
  }

  function checkInput(inputShape: readonly number[], opts: ApplyOptions<undefined> = {}, argument = 'input'): number[] {
    checkApplyOptions('tdnn', opts, false);
    if (inputShape.length !== 3 || inputShape[2] !== inputSize || inputShape[0] === 0 || inputShape[1] === 0) {
      throw shapeMismatch(argument, `a shape [batch, time, ${inputSize}] (batch, time ≥ 1)`, { shape: inputShape });
    }
    const [batch, time] = inputShape as [number, number];
    checkMask(opts.mask, batch, time);
    const { count } = frames(time);
    if (count === 0) {
      throw shapeMismatch(argument, `at least ${last - first + 1} frames for the 'valid' context [${first}, ${last}]`, {
        shape: inputShape,
      });
    }
    return [batch, count, units];
  }

  return Object.freeze({
    kind: 'tdnn' as const,
    config: full as Readonly<Required<TdnnConfig>>,
    offsets,
    inputSize,
    outputSize: units,
    init(rng: Rng): TdnnParams {
      checkRng(rng, 'tdnn init rng');
      const kernel = getInitializer(full.kernelInitializer)([offsets.length * inputSize, units], rng) as tf.Tensor2D;
      if (!useBias) return { kernel };
      return { kernel, bias: getInitializer(full.biasInitializer)([units], rng) as tf.Tensor1D };
    },
    apply(
      params: TdnnParams,
      input: tf.Tensor3D,
      opts: ApplyOptions<undefined> = {},
    ): LayerOutput<tf.Tensor3D, undefined> {
      const shape = checkTensor(input, 'input', `a float32 tensor of shape [batch, time, ${inputSize}]`).shape;
      const [batch, count] = checkInput(shape, opts) as [number, number, number];
      if (input.dtype !== 'float32') throw shapeMismatch('input', 'a float32 tensor', input);
      checkParams(params, spec);
      const time = shape[1] as number;
      const { start } = frames(time);
      return tf.tidy(() => {
        const real =
          opts.mask === undefined ? undefined : (tf.cast(tf.notEqual(opts.mask, 0), 'float32') as tf.Tensor2D);
        // Padded frames are zeros, as frames outside the sequence are.
        const x = real === undefined ? input : (tf.mul(input, tf.expandDims(real, 2)) as tf.Tensor3D);
        const before = Math.max(0, -first);
        // `stride` spare zero frames at the end let every strided run below be a whole block.
        const padded = tf.pad(x, [
          [0, 0],
          [before, Math.max(0, last) + stride],
          [0, 0],
        ]) as tf.Tensor3D;
        // Frame t + o of the input sits at t + o + before in `padded`.
        const spliced = tf.concat(
          offsets.map((o) => everyNth(padded, start + o + before, count, stride)),
          2,
        );
        const z = tf.matMul(tf.reshape(spliced, [batch * count, offsets.length * inputSize]), params.kernel);
        const output = tf.reshape(act(useBias ? tf.add(z, params.bias as tf.Tensor1D) : z), [
          batch,
          count,
          units,
        ]) as tf.Tensor3D;
        if (real === undefined) return { output };
        const spare = tf.pad(tf.expandDims(real, 2), [
          [0, 0],
          [0, stride],
          [0, 0],
        ]) as tf.Tensor3D;
        return { output, mask: tf.reshape(everyNth(spare, start, count, stride), [batch, count]) as tf.Tensor2D };
      });
    },
    checkInput,
    zeroState: () => undefined,
    kerasWeightSpec: (): readonly WeightSpec[] => {
      throw new RecurError(
        'NOT_SUPPORTED',
        'tdnn: Keras has no time-delay layer with offset sets, so no Keras weight order',
      );
    },
    fromKerasWeights: (): TdnnParams => {
      throw new RecurError(
        'NOT_SUPPORTED',
        'tdnn: Keras has no time-delay layer with offset sets, so no Keras weight order',
      );
    },
  });
}

/**
 * Frames start, start + stride, …, (count of them) of `t` [B, T, F]; T must reach
 * start + count·stride. A slice and a reshape rather than tfjs' StridedSlice, which has
 * no gradient.
 */
function everyNth(t: tf.Tensor3D, start: number, count: number, stride: number): tf.Tensor3D {
  const [batch, , features] = t.shape;
  const run = tf.slice(t, [0, start, 0], [batch, count * stride, features]);
  if (stride === 1) return run;
  const blocks = tf.reshape(run, [batch, count, stride, features]);
  return tf.reshape(tf.slice(blocks, [0, 0, 0, 0], [batch, count, 1, features]), [batch, count, features]);
}
