/**
 * xLSTM residual blocks (Beck et al. 2024, "xLSTM", https://arxiv.org/abs/2405.04517,
 * sec. 2.4 and figs. 9–10) around any cell, and a stack mixing them by a pattern:
 *
 * - post-up-projection (the sLSTM block, fig. 9): the cell runs at the model width d,
 *   then a gated feed-forward up-projection of width ⌈factor·d⌉ (factor 4/3):
 *       h = x + cell(LN(x))      y = h + (gelu(LN(h)·W_gate) ⊙ LN(h)·W_up)·W_down
 * - pre-up-projection (the mLSTM block, fig. 10): up-projection to ⌈factor·d⌉ (factor 2)
 *   first, the cell in the wide space, an output gate branch, then down again:
 *       z = LN(x)   a = z·W_up   b = z·W_gate
 *       y = x + ((cell(a) + s ⊙ a) ⊙ swish(b))·W_down         (s: learnable skip, init 1)
 *
 * Left out from the paper's figures: the causal convolution before the gates and the
 * per-head group norm after the cell (the cell's own normaliser n already bounds h).
 * LN is layer normalisation (Ba et al. 2016) with gain and shift; gelu is core's (tanh form). Masks pass through
 * (padded steps keep the cell's state); `returnState` returns the cell's carry, so blocks
 * stream and train with truncated BPTT like any recurrent layer.
 */
import {
  badArgument,
  type Carry,
  type Cell,
  checkBoolean,
  checkConfig,
  checkRng,
  getActivation,
  getInitializer,
  type Params,
  RecurError,
  type Rng,
} from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';
import type { AnyLayer, ApplyOptions, Layer, LayerOutput } from './layer.js';
import { recurrent } from './recurrent.js';
import { type StackedLayer, stacked } from './stacked.js';

/** Which xLSTM residual block: post-up-projection (the sLSTM block, fig. 9) or pre-up-projection (the mLSTM block, fig. 10). */
export type XlstmBlockKind = 'postUpProjection' | 'preUpProjection';
/** Every `XlstmBlockKind`, for validation and option lists. */
export const XLSTM_BLOCK_KINDS: readonly XlstmBlockKind[] = ['postUpProjection', 'preUpProjection'];

/** Options of `xlstmBlock` beyond the cell and block kind: up-projection factor, `returnState` and layer-norm ε. */
export interface XlstmBlockOptions {
  /** Width of the up-projection over the model width. Default 4/3 (post) or 2 (pre), as the paper. */
  readonly projectionFactor?: number;
  /** Return the cell's final carry as `state`. Default `false`. */
  readonly returnState?: boolean;
  /** ε of the layer norms. Default `1e-5`. */
  readonly layerNormEpsilon?: number;
}

type Norm = { readonly gain: tf.Tensor1D; readonly shift: tf.Tensor1D };

/**
 * The block's weights: `norm` (gain and shift `[d]`), the cell's, `up` and `gate` `[d, w]`,
 * `down` `[w, d]` with w = ⌈factor·d⌉, and the kind's own `ffnNorm` or `skip`.
 */
export type XlstmBlockParams<P extends Params = Params> = {
  readonly norm: Norm;
  readonly cell: P;
  readonly up: tf.Tensor2D;
  readonly gate: tf.Tensor2D;
  readonly down: tf.Tensor2D;
  /** Post-up-projection only: the norm before the feed-forward part. */
  readonly ffnNorm?: Norm;
  /** Pre-up-projection only: the learnable skip s. */
  readonly skip?: tf.Tensor1D;
};

/** An xLSTM residual block around a cell, over `[batch, time, d]`, as `xlstmBlock` returns it; its carry is the cell's. */
export type XlstmBlockLayer<C extends Carry = Carry, P extends Params = Params> = Layer<
  XlstmBlockParams<P>,
  C,
  tf.Tensor3D,
  tf.Tensor3D
> & { readonly kind: 'xlstmBlock'; readonly blockKind: XlstmBlockKind; readonly cell: Cell<C, P> };

const FIELDS = ['projectionFactor', 'returnState', 'layerNormEpsilon'] as const;

function positive(value: unknown, argument: string, fallback: number): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)
    throw badArgument('BAD_CONFIG', argument, 'a positive number', v);
  return v;
}

function layerNorm(x: tf.Tensor, norm: Norm, epsilon: number): tf.Tensor {
  const mean = tf.mean(x, -1, true);
  const centred = tf.sub(x, mean);
  const variance = tf.mean(tf.square(centred), -1, true);
  return tf.add(tf.mul(tf.mul(centred, tf.rsqrt(tf.add(variance, epsilon))), norm.gain), norm.shift);
}

/** `x [B,T,n]` times `w [n,m]`. */
function project(x: tf.Tensor, w: tf.Tensor2D): tf.Tensor3D {
  const [batch, time, n] = x.shape as [number, number, number];
  return tf.reshape(tf.matMul(tf.reshape(x, [batch * time, n]), w), [batch, time, w.shape[1]]);
}

/**
 * An xLSTM block of `kind` around `cell` (see the file comment). The model width d is the
 * block's input and output size: `cell.inputSize` and `cell.outputSize` must be d
 * (post-up-projection) or ⌈factor·d⌉ (pre-up-projection, with d given as `modelSize`).
 */
export function xlstmBlock<C extends Carry, P extends Params>(
  kind: XlstmBlockKind,
  cell: Cell<C, P>,
  modelSize: number,
  options: XlstmBlockOptions = {},
): XlstmBlockLayer<C, P> {
  if (!XLSTM_BLOCK_KINDS.includes(kind)) {
    throw badArgument('BAD_CONFIG', 'xlstmBlock kind', `one of ${XLSTM_BLOCK_KINDS.join(', ')}`, kind);
  }
  if (typeof modelSize !== 'number' || !Number.isInteger(modelSize) || modelSize <= 0) {
    throw badArgument('BAD_CONFIG', 'xlstmBlock modelSize', 'a positive integer', modelSize);
  }
  checkConfig(options, FIELDS, 'xlstmBlock options');
  const post = kind === 'postUpProjection';
  const factor = positive(options.projectionFactor, 'xlstmBlock options.projectionFactor', post ? 4 / 3 : 2);
  const epsilon = positive(options.layerNormEpsilon, 'xlstmBlock options.layerNormEpsilon', 1e-5);
  const returnState = checkBoolean(options.returnState, 'xlstmBlock options.returnState', false);
  const d = modelSize;
  const wide = Math.ceil(factor * d);
  const cellSize = post ? d : wide;
  if (cell?.inputSize !== cellSize || cell.outputSize !== cellSize) {
    throw badArgument(
      'BAD_CONFIG',
      'xlstmBlock cell',
      `a cell with inputSize and outputSize ${cellSize} (${post ? 'the model width' : `⌈${factor}·${d}⌉`})`,
      cell === null || typeof cell !== 'object' ? cell : `sizes ${cell.inputSize} → ${cell.outputSize}`,
    );
  }
  const inner = recurrent(cell, { returnSequences: true, returnState, maskedOutput: 'zeros' });
  const gelu = getActivation('gelu');
  const swish = getActivation('swish');

  return Object.freeze({
    kind: 'xlstmBlock' as const,
    blockKind: kind,
    cell,
    inputSize: d,
    outputSize: d,
    init(rng: Rng): XlstmBlockParams<P> {
      checkRng(rng, 'xlstmBlock init rng');
      const draw = getInitializer('glorotUniform');
      const glorot = (shape: number[], r: Rng) => draw(shape, r) as tf.Tensor2D;
      const norm = (size: number): Norm => ({ gain: tf.ones([size]), shift: tf.zeros([size]) });
      const p = { norm: norm(d), cell: inner.init(rng) };
      return post
        ? {
            ...p,
            ffnNorm: norm(d),
            gate: glorot([d, wide], rng),
            up: glorot([d, wide], rng),
            down: glorot([wide, d], rng),
          }
        : ({
            ...p,
            up: glorot([d, wide], rng),
            gate: glorot([d, wide], rng),
            skip: tf.ones([wide]),
            down: glorot([wide, d], rng),
          } as XlstmBlockParams<P>);
    },
    apply(params: XlstmBlockParams<P>, input: tf.Tensor3D, opts: ApplyOptions<C> = {}): LayerOutput<tf.Tensor3D, C> {
      if (input?.rank !== 3 || input.shape[2] !== d || input.dtype !== 'float32') {
        throw badArgument('SHAPE_MISMATCH', 'input', `a float32 tensor of shape [batch, time, ${d}]`, input);
      }
      inner.checkInput([input.shape[0], input.shape[1], cellSize], opts);
      return tf.tidy(() => {
        const z = layerNorm(input, params.norm, epsilon);
        const a = post ? z : project(z, params.up);
        const run = inner.apply(params.cell, a as tf.Tensor3D, opts);
        let y: tf.Tensor;
        if (post) {
          const h = tf.add(input, run.output);
          const n = layerNorm(h, params.ffnNorm as Norm, epsilon);
          y = tf.add(h, project(tf.mul(gelu(project(n, params.gate)), project(n, params.up)), params.down));
        } else {
          const gated = tf.mul(
            tf.add(run.output, tf.mul(a, params.skip as tf.Tensor1D)),
            swish(project(z, params.gate)),
          );
          y = tf.add(input, project(gated, params.down));
        }
        const out: { output: tf.Tensor; mask?: tf.Tensor; state?: C } = { output: y };
        if (run.mask !== undefined) out.mask = run.mask;
        if (run.state !== undefined) out.state = run.state;
        return out as unknown as tf.TensorContainerObject;
      }) as unknown as LayerOutput<tf.Tensor3D, C>;
    },
    checkInput(inputShape: readonly number[], opts: ApplyOptions<C> = {}, argument = 'input'): number[] {
      if (inputShape.length !== 3 || inputShape[2] !== d) {
        throw badArgument('SHAPE_MISMATCH', argument, `a shape [batch, time, ${d}]`, `[${inputShape.join(', ')}]`);
      }
      inner.checkInput([inputShape[0] as number, inputShape[1] as number, cellSize], opts, argument);
      return [...inputShape];
    },
    zeroState: (batch: number): C => inner.zeroState(batch),
    kerasWeightSpec(): never {
      throw new RecurError('NOT_SUPPORTED', 'xlstmBlock: Keras has no xLSTM layer, so there is no Keras weight layout');
    },
    fromKerasWeights(): never {
      throw new RecurError('NOT_SUPPORTED', 'xlstmBlock: Keras has no xLSTM layer, so there is no Keras weight layout');
    },
  });
}

/**
 * xLSTM blocks stacked by `pattern`, one letter per block from `blocks` (the paper's
 * xLSTM[a:b] mixes mLSTM and sLSTM blocks, e.g. `'msmm'` with `{ m: xlstmBlock(
 * 'preUpProjection', mlstm(…), d), s: xlstmBlock('postUpProjection', slstm(…), d) }`).
 * Each position gets its own weights from `stacked`'s init.
 */
export function xlstmStack(
  pattern: string,
  blocks: Readonly<Record<string, AnyLayer>>,
): StackedLayer<readonly AnyLayer[]> {
  if (typeof pattern !== 'string' || pattern.length === 0) {
    throw badArgument('BAD_CONFIG', 'xlstmStack pattern', "a non-empty string of block letters, e.g. 'msmm'", pattern);
  }
  const layers = [...pattern].map((letter, i) => {
    const block = blocks?.[letter];
    if (block === undefined) {
      throw badArgument(
        'BAD_CONFIG',
        `xlstmStack pattern[${i}]`,
        `one of the letters of blocks (${Object.keys(blocks ?? {}).join(', ')})`,
        letter,
      );
    }
    return block;
  });
  return stacked(layers);
}
