/**
 * mLSTM, the matrix-memory LSTM of xLSTM (Beck et al. 2024, "xLSTM: Extended Long
 * Short-Term Memory", https://arxiv.org/abs/2405.04517, sec. 2.3 and appendix A.3).
 * Per head, with blocks q, k, v, o, ĩ, f̃ of `x·W + b`:
 *
 *     q_t [dk]    k_t = (x·W_k + b_k)/√dk [dk]    v_t [dv]                  (22)–(24)
 *     m_t = max(log f_t + m_{t−1}, ĩ_t)                                      (A.3 stabiliser)
 *     i′_t = exp(ĩ_t − m_t)    f′_t = exp(log f_t + m_{t−1} − m_t)
 *     C_t = f′_t C_{t−1} + i′_t k_t v_tᵀ          [dk, dv]                  (19), covariance
 *     n_t = f′_t n_{t−1} + i′_t k_t               [dk]                      (20)
 *     h̃_t = C_tᵀ q_t / max(|n_tᵀ q_t|, exp(−m_t))                          (21)
 *     h_t = σ(õ_t) ⊙ h̃_t      (heads concatenated)          y_t = h_t       (26)
 *
 * C and n are the paper's scaled by exp(−m_t), so the normaliser max(|nᵀq|, 1) of
 * eq. (21) becomes max(|nᵀq|, exp(−m_t)) and h̃ is unchanged. f_t = σ(f̃) or exp(f̃).
 * W = `kernel [inputSize, 2·heads·dk + 2·units + 2·heads]`, b = `bias` of that width;
 * units = heads·dv. Carry `{ h [batch, units], C [batch, heads, dk, dv], n [batch,
 * heads, dk], m [batch, heads] }`.
 *
 * Sequence form (appendix A.3, "parallel formulation"), for the whole sequence or chunk
 * by chunk from the state the previous chunk left (`parallel: 'quadratic' | 'chunkwise'`):
 *
 *     F_t = Σ_{r≤t} log f_r       D_ts = F_t − F_s + ĩ_s (s ≤ t), −∞ (s > t)
 *     the state carried in is a source with log weight F_t + m_0
 *     m_t = max(max_s D_ts, F_t + m_0)      W_ts = exp(D_ts − m_t)   w_t = exp(F_t + m_0 − m_t)
 *     h̃_t = (Σ_s W_ts (q_t·k_s) v_s + w_t C_0ᵀ q_t) / max(|Σ_s W_ts q_t·k_s + w_t n_0ᵀ q_t|, exp(−m_t))
 *
 * which unrolls the step exactly (m_t is the same max, taken at once). A padded step
 * has log f = 0 and ĩ = −∞: it leaves C, n, m as they were.
 */
import {
  badArgument,
  type Cell,
  checkConfig,
  checkPositiveInteger,
  checkRng,
  type InitializerName,
  type Rng,
  resolveInitializerName,
  type SequenceOptions,
  type SequenceResult,
} from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';
import type { Resolved } from './internal/config.js';
import { maskedSteps } from './internal/masked-steps.js';
import { checkMlstmCarry, mlstmBias, mlstmSplit } from './internal/mlstm-layout.js';
import { initParams } from './internal/ops.js';
import { checkBatch, checkInput, type ParamShapes, paramsCheck } from './internal/shapes.js';
import { type ForgetGate, forgetGateOption, logForget } from './internal/xlstm.js';

/** How the sequence form runs: quadratic in T at once, or chunk by chunk. */
export type MlstmParallel = 'quadratic' | 'chunkwise';

/** Options of `mlstm`: sizes, heads, key size, forget gate and sequence form. */
export interface MlstmConfig {
  /** Features per input step. Required. */
  readonly inputSize: number;
  /** Output width heads·dv. Required; a multiple of `heads`. */
  readonly units: number;
  /** Heads, each with its own memory. Default 1. */
  readonly heads?: number;
  /** dk, the key and query size per head. Default units / heads. */
  readonly keySize?: number;
  /** f_t = σ(f̃_t) or exp(f̃_t). Default `'sigmoid'`. */
  readonly forgetGate?: ForgetGate;
  /** The sequence form. Default `'chunkwise'`. */
  readonly parallel?: MlstmParallel;
  /** Steps per chunk under `'chunkwise'` (the last chunk may be shorter). Default 64. */
  readonly chunkSize?: number;
  /** W. Default `'glorotUniform'`. */
  readonly kernelInitializer?: InitializerName | (string & {});
}

/**
 * mLSTM's state, C and n scaled by exp(−m): `h [batch, units]` the last output, `C [batch,
 * heads, dk, dv]` the matrix memory (eq. 19), `n [batch, heads, dk]` the normaliser
 * (eq. 20), `m [batch, heads]` the stabiliser (appendix A.3).
 */
export type MlstmCarry = {
  readonly h: tf.Tensor2D;
  readonly C: tf.Tensor4D;
  readonly n: tf.Tensor3D;
  readonly m: tf.Tensor2D;
};

/** `kernel [inputSize, 2·heads·dk + 2·units + 2·heads]` in blocks q, k, v, o, ĩ, f̃, and `bias` of that width. */
export type MlstmParams = { readonly kernel: tf.Tensor2D; readonly bias: tf.Tensor1D };

/** An mLSTM cell (`kind: 'mlstm'`), as `mlstm` returns it. */
export type MlstmCell = Cell<MlstmCarry, MlstmParams, Resolved<MlstmConfig>> & { readonly kind: 'mlstm' };

const FIELDS = [
  'inputSize',
  'units',
  'heads',
  'keySize',
  'forgetGate',
  'parallel',
  'chunkSize',
  'kernelInitializer',
] as const;

/** The (scaled) memory a step or chunk hands on. */
type Memory = { readonly C: tf.Tensor4D; readonly n: tf.Tensor3D; readonly m: tf.Tensor2D };

/** An mLSTM cell (see the file comment). */
export function mlstm(config: MlstmConfig): MlstmCell {
  const kind = 'mlstm';
  checkConfig(config, FIELDS, `${kind} config`);
  const full = resolve(config);
  const { inputSize, units, heads, keySize: dk, forgetGate } = full;
  const dv = units / heads;
  const layout = { heads, dk, dv, units };
  const width = 2 * heads * dk + 2 * units + 2 * heads;
  const shapes: ParamShapes = { kernel: [inputSize, width], bias: [width] };
  const inits = { kernel: full.kernelInitializer, bias: () => mlstmBias(layout) };
  const params = paramsCheck(kind, shapes);

  return Object.freeze({
    kind,
    config: full,
    inputSize,
    outputSize: units,
    checkParams: params.check,
    init(rng: Rng): MlstmParams {
      checkRng(rng, `${kind} init rng`);
      return initParams<MlstmParams>(shapes, inits, rng);
    },
    initCarry(batch: number): MlstmCarry {
      checkBatch(kind, batch);
      return {
        h: tf.zeros([batch, units]),
        C: tf.zeros([batch, heads, dk, dv]),
        n: tf.zeros([batch, heads, dk]),
        m: tf.zeros([batch, heads]),
      };
    },
    step(p: MlstmParams, carry: MlstmCarry, x: tf.Tensor2D) {
      const batch = checkInput(kind, x, inputSize);
      checkMlstmCarry(kind, carry, layout, batch);
      params.checkOnce(p);
      return tf.tidy(() => {
        const g = mlstmSplit(tf.add(tf.matMul(x, p.kernel), p.bias), [batch], layout);
        const logF = logForget(g.fTilde, forgetGate);
        const m = tf.maximum(tf.add(logF, carry.m), g.iTilde) as tf.Tensor2D;
        const i = tf.exp(tf.sub(g.iTilde, m));
        const f = tf.exp(tf.sub(tf.add(logF, carry.m), m));
        const outer = tf.mul(tf.expandDims(g.k, 3), tf.expandDims(g.v, 2));
        const C = tf.add(tf.mul(expand(f, 2), carry.C), tf.mul(expand(i, 2), outer)) as tf.Tensor4D; // (19)
        const n = tf.add(tf.mul(expand(f, 1), carry.n), tf.mul(expand(i, 1), g.k)) as tf.Tensor3D; // (20)
        const num = tf.sum(tf.mul(C, tf.expandDims(g.q, 3)), 2); // Cᵀq [batch, heads, dv]
        const den = tf.maximum(tf.abs(tf.sum(tf.mul(n, g.q), 2)), tf.exp(tf.neg(m))); // (21)
        const hTilde = tf.reshape(tf.div(num, tf.expandDims(den, 2)), [batch, units]);
        const h = tf.mul(tf.sigmoid(g.o), hTilde) as tf.Tensor2D; // (26)
        return { carry: { h, C, n, m }, y: tf.clone(h) };
      });
    },
    sequence(p: MlstmParams, xs: tf.Tensor3D, carry0: MlstmCarry, o: SequenceOptions): SequenceResult<MlstmCarry> {
      const [batch, time] = xs.shape;
      const chunk = full.parallel === 'quadratic' ? time : full.chunkSize;
      return tf.tidy(() => {
        const pre = tf.add(tf.matMul(tf.reshape(xs, [batch * time, inputSize]), p.kernel), p.bias);
        const g = mlstmSplit(pre, [batch, time], layout);
        // Heads before time: [batch, heads, time, ·].
        const byHead = (t: tf.Tensor) => tf.transpose(t, t.rank === 4 ? [0, 2, 1, 3] : [0, 2, 1]);
        let [q, k, v, logF, iTilde] = [g.q, g.k, g.v, logForget(g.fTilde, forgetGate), g.iTilde].map(byHead);
        if (o.mask !== undefined) {
          const real = tf.expandDims(tf.cast(o.mask, 'bool'), 1);
          logF = tf.where(real, logF!, tf.zerosLike(logF!));
          iTilde = tf.where(real, iTilde!, tf.fill(iTilde!.shape, -Infinity));
        }
        // Reverse runs forward over the flipped sequence.
        const order = (t: tf.Tensor) => (o.reverse ? tf.reverse(t, 2) : t);
        [q, k, v, logF, iTilde] = [q, k, v, logF, iTilde].map((t) => order(t!));
        // Each chunk costs O(L²) memory and restarts the cumulative log forget F, so F's
        // float32 rounding grows with the chunk length, not with T.
        let memory: Memory = { C: carry0.C, n: carry0.n, m: carry0.m };
        const parts: tf.Tensor[] = [];
        // One split per input, not a slice per chunk: the gradient of a split is one concat,
        // that of each slice a pad to the whole [B, heads, T, ·] (T/L of them per input,
        // all alive until the backward pass ends: 5 GB at T = 2048, L = 64, W4's sizes).
        const sizes = Array.from({ length: Math.ceil(time / chunk) }, (_, c) => Math.min(chunk, time - c * chunk));
        // (One chunk stays whole: tfjs' gradient of a one-way split fails in its concat.)
        const [qs, ks, vs, fs, is] = [q, k, v, logF, iTilde].map((t) =>
          sizes.length === 1 ? [t!] : tf.split(t!, sizes, 2),
        );
        for (let c = 0; c < sizes.length; c++) {
          const out = parallelChunk(qs![c]!, ks![c]!, vs![c]!, fs![c]!, is![c]!, memory);
          parts.push(out.hTilde);
          memory = out.memory;
        }
        const hTilde = order(parts.length === 1 ? parts[0]! : tf.concat(parts, 2));
        const hAll = tf.reshape(tf.transpose(hTilde, [0, 2, 1, 3]), [batch, time, units]);
        const raw = tf.mul(tf.sigmoid(g.o), hAll) as tf.Tensor3D;
        const { ys, last } = maskedSteps(raw, carry0.h, o);
        return { ys, carry: { h: last, ...memory } };
      });
    },
  });
}

/** `t` with `count` trailing axes of size 1. */
function expand(t: tf.Tensor, count: number): tf.Tensor {
  return tf.reshape(t, [...t.shape, ...Array<number>(count).fill(1)]);
}

/**
 * The parallel form over one chunk of L steps from `memory` (see the file comment):
 * q, k `[batch, heads, L, dk]`, v `[batch, heads, L, dv]`, log f and ĩ `[batch, heads, L]`.
 */
function parallelChunk(
  q: tf.Tensor,
  k: tf.Tensor,
  v: tf.Tensor,
  logF: tf.Tensor,
  iTilde: tf.Tensor,
  memory: Memory,
): { hTilde: tf.Tensor; memory: Memory } {
  const size = q.shape[2] as number;
  const F = tf.cumsum(logF, 2);
  const causal = tf.greaterEqual(tf.expandDims(tf.range(0, size), 1), tf.expandDims(tf.range(0, size), 0));
  const free = tf.add(tf.sub(tf.expandDims(F, 3), tf.expandDims(F, 2)), tf.expandDims(iTilde, 2));
  const D = tf.where(causal, free, tf.fill(free.shape, -Infinity));
  const g0 = tf.add(F, tf.expandDims(memory.m, 2));
  const m = tf.maximum(tf.max(D, 3), g0);
  const W = tf.exp(tf.sub(D, tf.expandDims(m, 3)));
  const w0 = tf.exp(tf.sub(g0, m));
  const S = tf.mul(tf.matMul(q, k, false, true), W);
  const num = tf.add(tf.matMul(S, v), tf.mul(tf.expandDims(w0, 3), tf.matMul(q, memory.C)));
  const qn = tf.sum(tf.mul(q, tf.expandDims(memory.n, 2)), 3);
  const den = tf.maximum(tf.abs(tf.add(tf.sum(S, 3), tf.mul(w0, qn))), tf.exp(tf.neg(m)));
  const hTilde = tf.div(num, tf.expandDims(den, 3));
  // The memory after the chunk's last step: row L−1 of W and w0.
  const [batch, heads] = memory.m.shape;
  const wLast = tf.reshape(tf.slice(W, [0, 0, size - 1, 0], [-1, -1, 1, -1]), [batch, heads, size, 1]);
  const w0Last = tf.reshape(tf.slice(w0, [0, 0, size - 1], [-1, -1, 1]), [batch, heads]);
  const weighted = tf.mul(k, wLast);
  const C = tf.add(tf.matMul(weighted, v, true, false), tf.mul(expand(w0Last, 2), memory.C)) as tf.Tensor4D;
  const n = tf.add(tf.sum(weighted, 2), tf.mul(expand(w0Last, 1), memory.n)) as tf.Tensor3D;
  const mLast = tf.reshape(tf.slice(m, [0, 0, size - 1], [-1, -1, 1]), [batch, heads]) as tf.Tensor2D;
  return { hTilde, memory: { C, n, m: mLast } };
}

function resolve(config: MlstmConfig): Resolved<MlstmConfig> {
  const kind = 'mlstm';
  const units = checkPositiveInteger(config.units, `${kind} config.units`);
  const heads = checkPositiveInteger(config.heads ?? 1, `${kind} config.heads`);
  if (units % heads !== 0) {
    throw badArgument('BAD_CONFIG', `${kind} config.heads`, `a divisor of units (${units})`, heads);
  }
  const parallel = config.parallel ?? 'chunkwise';
  if (parallel !== 'chunkwise' && parallel !== 'quadratic') {
    throw badArgument('BAD_CONFIG', `${kind} config.parallel`, "'chunkwise' or 'quadratic'", parallel);
  }
  return Object.freeze({
    inputSize: checkPositiveInteger(config.inputSize, `${kind} config.inputSize`),
    units,
    heads,
    keySize: checkPositiveInteger(config.keySize ?? units / heads, `${kind} config.keySize`),
    forgetGate: forgetGateOption(kind, config.forgetGate),
    parallel,
    chunkSize: checkPositiveInteger(config.chunkSize ?? 64, `${kind} config.chunkSize`),
    kernelInitializer: resolveInitializerName(
      config.kernelInitializer ?? 'glorotUniform',
      `${kind} config.kernelInitializer`,
    ),
  });
}
