/**
 * sLSTM, the scalar-memory LSTM of xLSTM (Beck et al. 2024, "xLSTM: Extended Long
 * Short-Term Memory", https://arxiv.org/abs/2405.04517, sec. 2.2), with the stabiliser
 * of its eqs. (15)–(17). Gate blocks in order i, f, z, o:
 *
 *     z̃ = x·W + b + h_{t−1}·R          (R block-diagonal over heads)     [4·units]
 *     i_t = exp(ĩ_t)                                                        (12)
 *     f_t = σ(f̃_t) or exp(f̃_t)                                             (13)
 *     z_t = tanh(z̃_t)     o_t = σ(õ_t)                                     (11), (14)
 *     m_t = max(log f_t + m_{t−1}, ĩ_t)                                    (15)
 *     i′_t = exp(ĩ_t − m_t)     f′_t = exp(log f_t + m_{t−1} − m_t)        (16), (17)
 *     c_t = f′_t c_{t−1} + i′_t z_t     n_t = f′_t n_{t−1} + i′_t           (8), (9)
 *     h_t = o_t ⊙ c_t / n_t                              y_t = h_t          (10)
 *
 * c and n are the paper's cell and normaliser scaled by exp(−m_t), so c/n is the paper's
 * h̃ while neither overflows; nothing else depends on m. Where n_{t−1} = 0 (the empty
 * state: nothing written yet), m_t = ĩ_t: the forget term has nothing to keep, and taking
 * it into the max could push i′ to 0 and make c/n = 0/0 (the official code does the
 * same). Heads (sec. 2.2, "sLSTM: multiple heads"): R is `recurrentKernel [heads,
 * headSize, 4·headSize]`, head k mixing only its own `headSize` units of h, gate blocks
 * inside each head in order i, f, z, o; W = `kernel [inputSize, 4·units]`, b =
 * `bias [4·units]`, each in blocks i, f, z, o of `units` columns.
 *
 * Sequence form: core's `RecurSlstmSequence` kernel, the same equations fused over time
 * with their analytic backward pass (sLSTM has a true recurrence: no parallel form).
 */
import {
  badArgument,
  type Cell,
  checkConfig,
  checkPositiveInteger,
  checkRng,
  getInitializer,
  type InitializerName,
  type Rng,
  resolveInitializerName,
  runKernel,
  type SequenceOptions,
  type SequenceResult,
  slstmSequence,
} from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';
import type { Resolved } from './internal/config.js';
import { initParams } from './internal/ops.js';
import { checkBatch, checkCarry, checkInput, type ParamShapes, paramsCheck } from './internal/shapes.js';
import { type ForgetGate, forgetGateOption, logForget, stackedHeads, xlstmForgetBias } from './internal/xlstm.js';

/** Options of `slstm`: sizes, heads, forget gate and initialisers. */
export interface SlstmConfig {
  /** Features per input step. Required. */
  readonly inputSize: number;
  /** Memory cells (the width of c, n, m, h). Required; a multiple of `heads`. */
  readonly units: number;
  /** Heads, each with its own block of R. Default 1. */
  readonly heads?: number;
  /** f_t = σ(f̃_t) or exp(f̃_t), eq. (13). Default `'sigmoid'`. */
  readonly forgetGate?: ForgetGate;
  /** W. Default `'glorotUniform'`. */
  readonly kernelInitializer?: InitializerName | (string & {});
  /** Each head's block of R. Default `'orthogonal'`. */
  readonly recurrentInitializer?: InitializerName | (string & {});
}

/** Each entry `[batch, units]`; h first, so it is the state's output (`scan`'s initial output). */
export type SlstmCarry = {
  readonly h: tf.Tensor2D;
  readonly c: tf.Tensor2D;
  readonly n: tf.Tensor2D;
  readonly m: tf.Tensor2D;
};

/**
 * W = `kernel [inputSize, 4·units]`, R = `recurrentKernel [heads, headSize, 4·headSize]`
 * (one block per head, headSize = units / heads), b = `bias [4·units]`; gate blocks i, f, z, o.
 */
export type SlstmParams = {
  readonly kernel: tf.Tensor2D;
  readonly recurrentKernel: tf.Tensor3D;
  readonly bias: tf.Tensor1D;
};

/** An sLSTM cell (`kind: 'slstm'`), as `slstm` returns it. */
export type SlstmCell = Cell<SlstmCarry, SlstmParams, Resolved<SlstmConfig>> & { readonly kind: 'slstm' };

const FIELDS = ['inputSize', 'units', 'heads', 'forgetGate', 'kernelInitializer', 'recurrentInitializer'] as const;

/** An sLSTM cell (see the file comment). */
export function slstm(config: SlstmConfig): SlstmCell {
  const kind = 'slstm';
  checkConfig(config, FIELDS, `${kind} config`);
  const full = resolve(config);
  const { inputSize, units, heads, forgetGate } = full;
  const headSize = units / heads;
  const shapes: ParamShapes = {
    kernel: [inputSize, 4 * units],
    recurrentKernel: [heads, headSize, 4 * headSize],
    bias: [4 * units],
  };
  const inits = {
    kernel: full.kernelInitializer,
    recurrentKernel: (shape: readonly number[], rng: Rng) => stackedHeads(full.recurrentInitializer, shape, rng),
    bias: (_shape: readonly number[], rng: Rng) => {
      const forget = xlstmForgetBias(units);
      const rest = getInitializer('zeros')([units], rng);
      const bias = tf.concat([rest, forget, rest, rest]);
      tf.dispose([forget, rest]);
      return bias;
    },
  };
  const params = paramsCheck(kind, shapes);
  const widths = { h: units, c: units, n: units, m: units };

  return Object.freeze({
    kind,
    config: full,
    inputSize,
    outputSize: units,
    checkParams: params.check,
    init(rng: Rng): SlstmParams {
      checkRng(rng, `${kind} init rng`);
      return initParams<SlstmParams>(shapes, inits, rng);
    },
    initCarry(batch: number): SlstmCarry {
      checkBatch(kind, batch);
      const zeros = () => tf.zeros([batch, units], 'float32') as tf.Tensor2D;
      return { h: zeros(), c: zeros(), n: zeros(), m: zeros() };
    },
    sequence(p: SlstmParams, xs: tf.Tensor3D, carry: SlstmCarry, o: SequenceOptions): SequenceResult<SlstmCarry> {
      const inputs = { x: xs, ...p, h0: carry.h, c0: carry.c, n0: carry.n, m0: carry.m };
      const { ys, hT, cT, nT, mT } = runKernel(
        slstmSequence,
        o.mask === undefined ? inputs : { ...inputs, mask: o.mask },
        {
          forgetGate,
          reverse: o.reverse,
          maskedOutput: o.maskedOutput,
        },
      );
      return { ys, carry: { h: hT, c: cT, n: nT, m: mT } };
    },
    step(p: SlstmParams, carry: SlstmCarry, x: tf.Tensor2D) {
      const batch = checkInput(kind, x, inputSize);
      checkCarry(kind, carry, widths, batch);
      params.checkOnce(p);
      return tf.tidy(() => {
        const { h: hPrev, c: cPrev, n: nPrev, m: mPrev } = carry;
        // h·R per head: [heads, batch, headSize] × [heads, headSize, 4·headSize], then
        // back to the kernel's layout (gate block, head, unit).
        const hHeads = tf.transpose(tf.reshape(hPrev, [batch, heads, headSize]), [1, 0, 2]);
        const rec = tf.reshape(tf.matMul(hHeads, p.recurrentKernel), [heads, batch, 4, headSize]);
        const recurrent = tf.reshape(tf.transpose(rec, [1, 2, 0, 3]), [batch, 4 * units]);
        const pre = tf.add(tf.add(tf.matMul(x, p.kernel), p.bias), recurrent);
        const [iTilde, fTilde, zTilde, oTilde] = tf.split(pre, 4, 1) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
        // eq. (15), with the empty state's forget term at −∞ (see the file comment). The
        // test n = 0 is built from step and abs: tfjs has no gradient for Equal, and a
        // condition computed from a differentiated input must have one (zero).
        const empty = tf.cast(tf.sub(1, tf.step(tf.abs(nPrev))), 'bool');
        const kept = tf.where(empty, tf.fill(nPrev.shape, -Infinity), tf.add(logForget(fTilde, forgetGate), mPrev));
        const m = tf.maximum(kept, iTilde) as tf.Tensor2D;
        const i = tf.exp(tf.sub(iTilde, m)); // (16)
        const f = tf.exp(tf.sub(kept, m)); // (17)
        const c = tf.add(tf.mul(f, cPrev), tf.mul(i, tf.tanh(zTilde))) as tf.Tensor2D; // (8)
        const n = tf.add(tf.mul(f, nPrev), i) as tf.Tensor2D; // (9)
        const h = tf.mul(tf.sigmoid(oTilde), tf.div(c, n)) as tf.Tensor2D; // (10)
        return { carry: { h, c, n, m }, y: tf.clone(h) };
      });
    },
  });
}

function resolve(config: SlstmConfig): Resolved<SlstmConfig> {
  const kind = 'slstm';
  const units = checkPositiveInteger(config.units, `${kind} config.units`);
  const heads = checkPositiveInteger(config.heads ?? 1, `${kind} config.heads`);
  if (units % heads !== 0) {
    throw badArgument('BAD_CONFIG', `${kind} config.heads`, `a divisor of units (${units})`, heads);
  }
  return Object.freeze({
    inputSize: checkPositiveInteger(config.inputSize, `${kind} config.inputSize`),
    units,
    heads,
    forgetGate: forgetGateOption(kind, config.forgetGate),
    kernelInitializer: resolveInitializerName(
      config.kernelInitializer ?? 'glorotUniform',
      `${kind} config.kernelInitializer`,
    ),
    recurrentInitializer: resolveInitializerName(
      config.recurrentInitializer ?? 'orthogonal',
      `${kind} config.recurrentInitializer`,
    ),
  });
}
