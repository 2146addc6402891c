/**
 * The residual block of the min-RNN language models (Feng et al. 2024, "Were RNNs All We
 * Needed?", https://arxiv.org/abs/2410.01201, §4 and Appendix C: minGRU / minLSTM layers
 * with an expansion factor, residual connections and layer normalisation, each followed
 * by a feed-forward layer), in the pre-norm arrangement of minGRU-pytorch and GPT-2:
 *
 *     u = x + minRNN(LN(x))                      the recurrence, over time
 *     y = u + W₂ · gelu(W₁ · LN(u) + b₁) + b₂    the feed-forward, per step (absent when mlpExpansion = 0)
 *
 * LN is layer normalisation over features (Ba, Kiros & Hinton 2016, eq. 4). The
 * recurrent state is the cell's carry, so blocks stream one step at a time and carry
 * state across TBPTT chunks as any recurrent layer does. `minRnnStack` repeats the block.
 */

import { type MinGruCarry, type MinGruConfig, type MinGruParams, minGru, minLstm } from '@recur/cells';
import {
  badArgument,
  checkBoolean,
  checkConfig,
  checkPositiveInteger,
  checkRng,
  checkTensor,
  RecurError,
  type Rng,
  shapeMismatch,
} from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';
import { type DenseParams, dense } from './dense.js';
import type { ApplyOptions, Layer, LayerOutput, WeightSpec } from './layer.js';
import { checkParams } from './param-tree.js';
import { recurrent } from './recurrent.js';
import { type StackedLayer, stacked } from './stacked.js';

/** Options of `minRnnBlock`: which cell, the model width d, expansion factors and layer-norm ε. */
export interface MinRnnBlockConfig {
  /** `'minGru'` or `'minLstm'`. Required. */
  readonly cell: 'minGru' | 'minLstm';
  /** The model width d: features in and out. Required. */
  readonly size: number;
  /** The cell's expansion factor α (state α·d, projected back to d). Default 1. */
  readonly expansion?: number;
  /** The cell's sequence form. Default `'linear'`. */
  readonly parallel?: MinGruConfig['parallel'];
  /** Feed-forward width as a multiple of d; 0 leaves the feed-forward out. Default 4. */
  readonly mlpExpansion?: number;
  /** Layer normalisation's ε. Default 1e-5. */
  readonly epsilon?: number;
  /** Return the cell's final carry as `state`. Default `false`. */
  readonly returnState?: boolean;
}

/** Gain and shift of one layer normalisation, `[d]` each. */
export type LayerNormParams = { readonly gain: tf.Tensor1D; readonly shift: tf.Tensor1D };

/** The pre-cell layer norm, the cell's weights and, unless `mlpExpansion` is 0, the feed-forward's norm and its `up` (d → mlpExpansion·d) and `down` dense layers. */
export type MinRnnBlockParams = {
  readonly norm: LayerNormParams;
  readonly cell: MinGruParams;
  readonly mlpNorm?: LayerNormParams;
  readonly mlp?: { readonly up: DenseParams; readonly down: DenseParams };
};

/** One pre-norm residual min-RNN block over `[batch, time, size]`, as `minRnnBlock` returns it; its carry is the cell's `{ h }`. */
export type MinRnnBlockLayer = Layer<MinRnnBlockParams, MinGruCarry, tf.Tensor3D, tf.Tensor3D> & {
  readonly kind: 'minRnnBlock';
  readonly config: Readonly<Required<MinRnnBlockConfig>>;
};

const FIELDS = ['cell', 'size', 'expansion', 'parallel', 'mlpExpansion', 'epsilon', 'returnState'] as const;

function nonNegativeInteger(value: unknown, argument: string, fallback: number): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
    throw badArgument('BAD_CONFIG', argument, 'a non-negative integer', v);
  }
  return v;
}

/** One pre-norm residual min-RNN block over `[batch, time, size]`. */
export function minRnnBlock(config: MinRnnBlockConfig): MinRnnBlockLayer {
  checkConfig(config, FIELDS, 'minRnnBlock config');
  if (config.cell !== 'minGru' && config.cell !== 'minLstm') {
    throw badArgument('BAD_CONFIG', 'minRnnBlock config.cell', "'minGru' or 'minLstm'", config.cell);
  }
  const size = checkPositiveInteger(config.size, 'minRnnBlock config.size');
  const epsilon = config.epsilon ?? 1e-5;
  if (typeof epsilon !== 'number' || !(epsilon > 0) || !Number.isFinite(epsilon)) {
    throw badArgument('BAD_CONFIG', 'minRnnBlock config.epsilon', 'a positive finite number', epsilon);
  }
  const make = config.cell === 'minGru' ? minGru : minLstm;
  // The cell validates expansion and parallel, naming them.
  const cell = make({
    inputSize: size,
    units: size,
    ...(config.expansion === undefined ? {} : { expansion: config.expansion }),
    ...(config.parallel === undefined ? {} : { parallel: config.parallel }),
  });
  const full = Object.freeze({
    cell: config.cell,
    size,
    expansion: cell.config.expansion,
    parallel: cell.config.parallel,
    mlpExpansion: nonNegativeInteger(config.mlpExpansion, 'minRnnBlock config.mlpExpansion', 4),
    epsilon,
    returnState: checkBoolean(config.returnState, 'minRnnBlock config.returnState', false),
  });
  const rnn = recurrent(cell, { returnSequences: true, returnState: true, maskedOutput: 'zeros' });
  const width = full.mlpExpansion * size;
  const up = width > 0 ? dense({ inputSize: size, units: width, activation: 'gelu' }) : undefined;
  const down = width > 0 ? dense({ inputSize: width, units: size }) : undefined;
  // Checked before any op; the cell's params are checked by scan.
  const specs: WeightSpec[] = [
    ...['norm', ...(width > 0 ? ['mlpNorm'] : [])].flatMap((n) => [
      { name: `${n}/gain`, path: [n, 'gain'], shape: [size] },
      { name: `${n}/shift`, path: [n, 'shift'], shape: [size] },
    ]),
    ...(up?.kerasWeightSpec().map((w) => ({ ...w, path: ['mlp', 'up', ...w.path] })) ?? []),
    ...(down?.kerasWeightSpec().map((w) => ({ ...w, path: ['mlp', 'down', ...w.path] })) ?? []),
  ];
  const freshNorm = (): LayerNormParams => ({ gain: tf.ones([size]), shift: tf.zeros([size]) });

  function checkInput(
    inputShape: readonly number[],
    opts: ApplyOptions<MinGruCarry> = {},
    argument = 'input',
  ): number[] {
    return rnn.checkInput(inputShape, opts, argument);
  }

  return Object.freeze({
    kind: 'minRnnBlock' as const,
    config: full,
    inputSize: size,
    outputSize: size,
    init(rng: Rng): MinRnnBlockParams {
      checkRng(rng, 'minRnnBlock init rng');
      const cellParams = rnn.init(rng);
      if (up === undefined || down === undefined) return { norm: freshNorm(), cell: cellParams };
      return {
        norm: freshNorm(),
        cell: cellParams,
        mlpNorm: freshNorm(),
        mlp: { up: up.init(rng), down: down.init(rng) },
      };
    },
    apply(
      params: MinRnnBlockParams,
      input: tf.Tensor3D,
      opts: ApplyOptions<MinGruCarry> = {},
    ): LayerOutput<tf.Tensor3D, MinGruCarry> {
      checkInput(checkTensor(input, 'input', `a float32 tensor of shape [batch, time, ${size}]`).shape, opts);
      if (input.dtype !== 'float32') throw shapeMismatch('input', 'a float32 tensor', input);
      checkParams(params, specs);
      return tf.tidy(() => {
        const { mask, initialState } = opts;
        const inner = {
          ...(mask === undefined ? {} : { mask }),
          ...(initialState === undefined ? {} : { initialState }),
        };
        const r = rnn.apply(params.cell, layerNorm(input, params.norm, epsilon), inner);
        let output = tf.add(input, r.output) as tf.Tensor3D;
        if (up !== undefined && down !== undefined) {
          const mlp = params.mlp as NonNullable<MinRnnBlockParams['mlp']>; // checked above
          const hidden = up.apply(mlp.up, layerNorm(output, params.mlpNorm as LayerNormParams, epsilon)).output;
          output = tf.add(output, down.apply(mlp.down, hidden).output) as tf.Tensor3D;
        }
        const out: { output: tf.Tensor3D; mask?: tf.Tensor2D; state?: MinGruCarry } = { output };
        if (r.mask !== undefined) out.mask = r.mask;
        if (full.returnState && r.state !== undefined) out.state = r.state;
        return out as unknown as tf.TensorContainerObject;
      }) as unknown as LayerOutput<tf.Tensor3D, MinGruCarry>;
    },
    checkInput,
    zeroState: (batch: number): MinGruCarry => rnn.zeroState(batch),
    kerasWeightSpec: (): readonly WeightSpec[] => {
      throw new RecurError('NOT_SUPPORTED', 'minRnnBlock: Keras has no min-RNN block, so it has no Keras weight order');
    },
    fromKerasWeights: (): MinRnnBlockParams => {
      throw new RecurError('NOT_SUPPORTED', 'minRnnBlock: Keras has no min-RNN block, so it has no Keras weight order');
    },
  });
}

/** `depth` blocks in sequence (one layer value serves every depth: layers hold no tensors). */
export function minRnnStack(
  config: MinRnnBlockConfig & { readonly depth: number },
): StackedLayer<readonly MinRnnBlockLayer[]> {
  const { depth, ...block } = config ?? {};
  const n = checkPositiveInteger(depth, 'minRnnStack config.depth');
  const layer = minRnnBlock(block as MinRnnBlockConfig);
  return stacked(Array.from({ length: n }, () => layer));
}

/** gain ⊙ (x − μ) / √(σ² + ε) + shift over the last axis (Ba et al. 2016, eq. 4). */
function layerNorm(x: tf.Tensor3D, p: LayerNormParams, epsilon: number): tf.Tensor3D {
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, -1, true);
    return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, epsilon))), p.gain), p.shift) as tf.Tensor3D;
  });
}
