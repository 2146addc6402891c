/**
 * What minGRU and minLSTM share (Feng et al. 2024, "Were RNNs All We Needed?",
 * https://arxiv.org/abs/2410.01201): the candidate activation g(·), the two ways to run
 * h_t = a_t ⊙ h_{t−1} + b_t over a whole sequence, the optional down-projection of the
 * expanded state, and the config fields both cells take.
 */
import {
  badArgument,
  checkBoolean,
  checkConfig,
  checkPositiveInteger,
  checkPositiveNumber,
  checkRng,
  type InitializerName,
  logLinearScan,
  MIN_RNN_BLOCKS,
  type MinRnnGates,
  minRnnScan,
  type Rng,
  resolveInitializerName,
  runKernel,
  type SequenceOptions,
  type SequenceResult,
} from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';
import { initParams, zerosCarry } from './ops.js';
import { sequenceProduct } from './sequence-product.js';
import { checkBatch, checkCarry, checkInput, type ParamShapes, paramsCheck } from './shapes.js';

/** How a min-RNN runs a whole sequence (see {@link minSequence}). */
export type MinParallel = 'linear' | 'log';
export const MIN_PARALLEL: readonly MinParallel[] = ['linear', 'log'];

/**
 * The candidate h̃'s activation: `'g'` is the paper's g(x) = x + ½ for x ≥ 0, σ(x) below
 * (Appendix B.3), continuous and positive, so that h stays positive and log h exists;
 * `'linear'` is the paper's plain form (§3.1.3, §3.2.3), for the linear scan only.
 */
export type MinCandidate = 'g' | 'linear';
export const MIN_CANDIDATES: readonly MinCandidate[] = ['g', 'linear'];

/** The paper's g(x) = x + ½ (x ≥ 0), σ(x) (x < 0). */
export function g(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.where(tf.greaterEqual(x, 0), tf.add(tf.relu(x), 0.5), tf.sigmoid(x)));
}

/**
 * log g(x) = log(x + ½) (x ≥ 0), −softplus(−x) (x < 0). Both branches are finite
 * everywhere (relu keeps the log's argument ≥ ½), so `where` passes no NaN to the
 * gradient of the branch it drops.
 */
export function logG(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() =>
    tf.where(tf.greaterEqual(x, 0), tf.log(tf.add(tf.relu(x), 0.5)), tf.neg(tf.softplus(tf.neg(x)))),
  );
}

/** The log-space form needs h̃ > 0 (log b_t = log z_t + log h̃_t): only g(·) gives that. */
export function checkLogCandidate(kind: string, config: { parallel: MinParallel; candidate: MinCandidate }): void {
  if (config.parallel === 'log' && config.candidate !== 'g') {
    throw badArgument(
      'BAD_CONFIG',
      `${kind} config.candidate`,
      "'g' with parallel: 'log' (log h̃ needs h̃ > 0)",
      config.candidate,
    );
  }
}

/** A string field that must be one of `allowed`. */
export function oneOf<T extends string>(
  kind: string,
  field: string,
  value: unknown,
  allowed: readonly T[],
  fallback: T,
) {
  const v = value ?? fallback;
  if (!(allowed as readonly unknown[]).includes(v)) {
    throw badArgument('BAD_CONFIG', `${kind} config.${field}`, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`, v);
  }
  return v as T;
}

/**
 * The state width `units · expansion` (the paper's expansion factor α, §4: d_h = α·d);
 * it must come out whole.
 */
export function expandedWidth(kind: string, units: number, expansion: unknown): { expansion: number; hidden: number } {
  const e = checkPositiveNumber(expansion, `${kind} config.expansion`, 1);
  const hidden = units * e;
  if (!Number.isInteger(hidden)) {
    throw badArgument(
      'BAD_CONFIG',
      `${kind} config.expansion`,
      `a factor making units · expansion (${units} · e) whole`,
      e,
    );
  }
  return { expansion: e, hidden };
}

/** The log-space form's inputs of the recurrence, `[B, T, hidden]` each. */
export type MinLogCoefficients = { readonly logA: tf.Tensor3D; readonly logB: tf.Tensor3D };

/** How `minSequence` runs the recurrence from the pre-activations `[B, T, blocks·hidden]`. */
export interface MinRecurrence {
  readonly gates: MinRnnGates;
  readonly parallel: MinParallel;
  readonly candidate: MinCandidate;
  /** log a_t, log b_t from the pre-activations split into blocks (the log-space form only). */
  readonly logCoefficients: (blocks: tf.Tensor3D[]) => MinLogCoefficients;
}

/**
 * Runs h_t = a_t ⊙ h_{t−1} + b_t from the pre-activations x·W (made by `preOf`, inside this
 * function's tidy), `bias` and `h0` under the
 * `Cell.sequence` contract and applies the optional down-projection `y = h · outputKernel`.
 *
 * Linear space: core's `RecurMinRnnScan`, the gates, candidate and recurrence in one kernel
 * (on CPUs a sequential fused pass, the fast path).
 * Log space: `RecurLogLinearScan` from h0 = 0, the paper's form (§3.1.2, Appendix B), which
 * needs h0 > 0 for log h0. Any h0 is taken instead by linearity: h_t = A_t h0 + h_t|h0=0 with
 * A_t = Π_{s≤t} a_s, itself a log-space scan (from log h0 = 0 with log b = −∞).
 */
export function minSequence(
  preOf: () => tf.Tensor3D,
  bias: tf.Tensor1D | undefined,
  recurrence: MinRecurrence,
  h0: tf.Tensor2D,
  options: SequenceOptions,
  outputKernel: tf.Tensor2D | undefined,
): SequenceResult<{ readonly h: tf.Tensor2D }> {
  return tf.tidy(() => {
    const { mask, reverse } = options;
    const withMask = <I extends object>(inputs: I) => (mask === undefined ? inputs : { ...inputs, mask });
    let hs: tf.Tensor3D;
    let hT: tf.Tensor2D;
    const pre = preOf();
    if (recurrence.parallel === 'linear') {
      const { gates, candidate } = recurrence;
      const out = runKernel(minRnnScan, withMask(bias === undefined ? { pre, h0 } : { pre, bias, h0 }), {
        reverse,
        gates,
        candidate,
      });
      [hs, hT] = [out.hs, out.hT];
    } else {
      const biased = bias === undefined ? pre : tf.add(pre, bias);
      const blocks = tf.split(biased, MIN_RNN_BLOCKS[recurrence.gates], 2) as tf.Tensor3D[];
      const { logA, logB } = recurrence.logCoefficients(blocks);
      const out = runKernel(logLinearScan, withMask({ logA, logB }), { reverse });
      // log A_t: the same scan from h0 = 1 with b = 0 (tfjs' Cumsum gradient breaks off the last axis).
      const decay = runKernel(
        logLinearScan,
        withMask({ logA, logB: tf.fill(logA.shape, -Infinity), logH0: tf.zerosLike(h0) }),
        { reverse },
      );
      hs = tf.add(tf.exp(out.logHs), tf.mul(tf.exp(decay.logHs), tf.expandDims(h0, 1))) as tf.Tensor3D;
      hT = tf.add(tf.exp(out.logHT), tf.mul(tf.exp(decay.logHT), h0)) as tf.Tensor2D;
    }
    let ys = outputKernel === undefined ? hs : project(hs, outputKernel);
    if (mask !== undefined) {
      // A padded step's h is the state it kept: the last real step's, or h0 before the first.
      // 'previous' wants the last real output and zeros before the first.
      const keep =
        options.maskedOutput === 'zeros' ? mask : tf.cast(tf.greater(tf.cumsum(mask, 1, false, reverse), 0), 'float32');
      ys = tf.mul(ys, tf.expandDims(keep, 2)) as tf.Tensor3D;
    }
    return { ys, carry: { h: hT } };
  });
}

/** `[B, T, K] · [K, N] → [B, T, N]`. */
export function project(xs: tf.Tensor3D, kernel: tf.Tensor2D): tf.Tensor3D {
  return sequenceProduct(xs, kernel);
}

/** Options of `minGru` and `minLstm`: sizes, expansion factor α, sequence form and initialisers. */
export interface MinRnnOptions {
  /** Features per input step. Required. */
  readonly inputSize: number;
  /** Output size (and state size when `expansion` is 1). Required. */
  readonly units: number;
  /** The paper's expansion factor α: the state has α·units features, projected back to units. Default 1. */
  readonly expansion?: number;
  /** How `sequence` runs the recurrence: core's linear scan or the paper's log-space scan. Default `'linear'`. */
  readonly parallel?: MinParallel;
  /** h̃'s activation: the paper's positive g(·), or none (linear parallel form only). Default `'g'`. */
  readonly candidate?: MinCandidate;
  /** Whether the bias exists. Default `true`. */
  readonly useBias?: boolean;
  /** W and W_o. Default `'glorotUniform'`. */
  readonly kernelInitializer?: InitializerName | (string & {});
  /** Bias. Default `'zeros'`. */
  readonly biasInitializer?: InitializerName | (string & {});
}

/** The config fields both min-RNNs take, every default filled in. */
export interface MinConfig {
  readonly inputSize: number;
  readonly units: number;
  readonly expansion: number;
  readonly parallel: MinParallel;
  readonly candidate: MinCandidate;
  readonly useBias: boolean;
  readonly kernelInitializer: InitializerName;
  readonly biasInitializer: InitializerName;
}

export const MIN_FIELDS = [
  'inputSize',
  'units',
  'expansion',
  'parallel',
  'candidate',
  'useBias',
  'kernelInitializer',
  'biasInitializer',
] as const;

/** Checks a min-RNN config and fills in its defaults. */
export function resolveMinConfig(
  kind: string,
  config: Partial<Record<(typeof MIN_FIELDS)[number], unknown>>,
): MinConfig {
  checkConfig(config, MIN_FIELDS, `${kind} config`);
  const units = checkPositiveInteger(config.units, `${kind} config.units`);
  const full: MinConfig = Object.freeze({
    inputSize: checkPositiveInteger(config.inputSize, `${kind} config.inputSize`),
    units,
    expansion: expandedWidth(kind, units, config.expansion).expansion,
    parallel: oneOf(kind, 'parallel', config.parallel, MIN_PARALLEL, 'linear'),
    candidate: oneOf(kind, 'candidate', config.candidate, MIN_CANDIDATES, 'g'),
    useBias: checkBoolean(config.useBias, `${kind} config.useBias`, true),
    kernelInitializer: resolveInitializerName(
      config.kernelInitializer ?? 'glorotUniform',
      `${kind} config.kernelInitializer`,
    ),
    biasInitializer: resolveInitializerName(config.biasInitializer ?? 'zeros', `${kind} config.biasInitializer`),
  });
  checkLogCandidate(kind, full);
  return full;
}

/** A min-RNN's params: `bias` exists when `useBias`; `outputKernel` when `expansion` ≠ 1. */
export type MinParams = {
  readonly kernel: tf.Tensor2D;
  readonly bias?: tf.Tensor1D;
  readonly outputKernel?: tf.Tensor2D;
};
export type MinCarry = { readonly h: tf.Tensor2D };

/** What one min-RNN's equations are, given its pre-activations (`blocks` of them, in kernel order). */
export interface MinEquations {
  /** Which gates core's `RecurMinRnnScan` runs for the linear form (it holds their sequence equations). */
  readonly gates: MinRnnGates;
  /** The step: h_t from the pre-activations and h_{t−1}. */
  step(pre: tf.Tensor2D[], hPrevious: tf.Tensor2D, candidate: (t: tf.Tensor) => tf.Tensor): tf.Tensor2D;
  /** The log-space form's log a_t, log b_t from the pre-activations of every step (g as the candidate). */
  logCoefficients(pre: tf.Tensor3D[]): MinLogCoefficients;
}

/**
 * The cell around a min-RNN's equations: params (W [inputSize, blocks·hidden], bias,
 * optional W_o), `initCarry`, argument checks, the step and the whole-sequence form.
 */
export function minCell(kind: string, full: MinConfig, equations: MinEquations) {
  const { inputSize, units, useBias } = full;
  const { hidden } = expandedWidth(kind, units, full.expansion);
  const blocks = MIN_RNN_BLOCKS[equations.gates];
  const candidate = full.candidate === 'g' ? g : (t: tf.Tensor) => tf.clone(t);
  const shapes: ParamShapes = {
    kernel: [inputSize, blocks * hidden],
    ...(useBias ? { bias: [blocks * hidden] } : {}),
    ...(hidden === units ? {} : { outputKernel: [hidden, units] }),
  };
  const inits = { kernel: full.kernelInitializer, bias: full.biasInitializer, outputKernel: full.kernelInitializer };
  const params = paramsCheck(kind, shapes);
  return {
    kind,
    config: full,
    inputSize,
    outputSize: units,
    checkParams: params.check,
    init(rng: Rng): MinParams {
      checkRng(rng, `${kind} init rng`);
      return initParams<MinParams>(shapes, inits, rng);
    },
    initCarry(batch: number): MinCarry {
      return { h: zerosCarry(checkBatch(kind, batch), hidden) };
    },
    step(p: MinParams, carry: MinCarry, x: tf.Tensor2D): { carry: MinCarry; y: tf.Tensor2D } {
      const batch = checkInput(kind, x, inputSize);
      checkCarry(kind, carry, { h: hidden }, batch);
      params.checkOnce(p);
      return tf.tidy(() => {
        const pre = tf.matMul(x, p.kernel);
        const gates = tf.split(p.bias === undefined ? pre : tf.add(pre, p.bias), blocks, 1) as tf.Tensor2D[];
        const h = equations.step(gates, carry.h, candidate);
        const y: tf.Tensor2D = p.outputKernel === undefined ? tf.clone(h) : tf.matMul(h, p.outputKernel);
        return { carry: { h }, y };
      });
    },
    sequence(p: MinParams, xs: tf.Tensor3D, carry0: MinCarry, o: SequenceOptions): SequenceResult<MinCarry> {
      const recurrence = { ...full, gates: equations.gates, logCoefficients: equations.logCoefficients };
      // x·W over every step at once (the gates see x_t only, §3.1.2); the kernel adds the bias.
      return minSequence(() => project(xs, p.kernel), p.bias, recurrence, carry0.h, o, p.outputKernel);
    },
  };
}
