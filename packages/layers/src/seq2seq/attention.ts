/**
 * Attention over a memory of encoder outputs h̄_s (`[batch, source, memorySize]`) for a
 * query h_t (`[batch, querySize]`): scores, a softmax over the real source positions, and
 * the context c_t = Σ_s a_t(s) · h̄_s.
 *
 *     additive (Bahdanau et al. 2015, eq. 6 and appendix A.1.2; Luong et al. 2015's "concat"):
 *         score(h_t, h̄_s) = vᵀ tanh(W_q h_t + W_k h̄_s)
 *     dot     (Luong et al. 2015, sec. 3.1):  score = h_tᵀ h̄_s         (querySize = memorySize)
 *     general (Luong et al. 2015, sec. 3.1):  score = h_tᵀ W h̄_s
 *
 * Padded source positions get the score −∞ before the softmax, so their weight is exactly
 * 0 and the weights of each row sum to 1 over its real positions. A row with no real
 * position gets weights 0 and context 0 (rather than the NaN of a softmax over −∞ only).
 *
 * The memory-side product is the same at every decoding step, so `keys` computes it once
 * per source (Bahdanau's precomputed U_a h_j): W_k h̄_s for additive, h̄_s Wᵀ for general
 * (then score = h_t · key_s), the memory itself for dot.
 */
import {
  badArgument,
  checkConfig,
  checkKnownKeys,
  checkMask,
  checkPositiveInteger,
  checkRng,
  checkTensor,
  getInitializer,
  type InitializerName,
  type Rng,
  resolveInitializerName,
  sameShape,
  shapeMismatch,
} from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';
import type { WeightSpec } from '../layer.js';
import { checkParams } from '../param-tree.js';

export const ATTENTION_KINDS = ['additive', 'dot', 'general'] as const;
/** How a query is scored against each memory position (see the file comment). */
export type AttentionKind = (typeof ATTENTION_KINDS)[number];

export interface AttentionConfig {
  /** Required. */
  readonly kind: AttentionKind;
  /** Features of the query h_t. Required. */
  readonly querySize: number;
  /** Features of each memory position h̄_s. Required; equal to `querySize` for `'dot'`. */
  readonly memorySize: number;
  /** Width of the hidden layer of `'additive'` (v, W_q, W_k). Default `querySize`; other kinds refuse it. */
  readonly units?: number;
  /** W_q, W_k, v and W. Default `'glorotUniform'`. */
  readonly kernelInitializer?: InitializerName | (string & {});
}

/**
 * additive: `{ queryKernel [querySize, units], memoryKernel [memorySize, units], v [units] }`;
 * general: `{ kernel [querySize, memorySize] }`; dot: `{}`.
 */
export type AttentionParams = Readonly<Record<string, tf.Tensor>>;

/** What attending returns; the caller owns both tensors. */
export interface AttentionOutput {
  /** c_t, `[batch, memorySize]`. */
  readonly context: tf.Tensor2D;
  /** a_t, `[batch, source]`: sums to 1 over a row's real positions, exactly 0 on padding. */
  readonly weights: tf.Tensor2D;
}

export interface AttendOptions {
  /** `[batch, source]`, 1 (or true) at real positions, 0 at padding; any dtype. Default: all real. */
  readonly mask?: tf.Tensor2D;
  /** `keys(params, memory)` computed earlier for this memory (saves the memory-side product). */
  readonly keys?: tf.Tensor3D;
}

export interface Attention {
  readonly kind: AttentionKind;
  readonly config: Readonly<Required<AttentionConfig>>;
  /** Features of each key: `units` (additive), `querySize` (general, dot). */
  readonly keySize: number;
  /** Fresh weights; the caller owns them. */
  init(rng: Rng): AttentionParams;
  /** The memory-side part of the score, `[batch, source, keySize]`; the caller owns it. */
  keys(params: AttentionParams, memory: tf.Tensor3D): tf.Tensor3D;
  /** Attends `query` `[batch, querySize]` over `memory` `[batch, source, memorySize]`. */
  apply(params: AttentionParams, query: tf.Tensor2D, memory: tf.Tensor3D, options?: AttendOptions): AttentionOutput;
  /** The weight shapes `apply` checks, by path. */
  weightSpec(): readonly WeightSpec[];
}

const FIELDS = ['kind', 'querySize', 'memorySize', 'units', 'kernelInitializer'] as const;

export function attention(config: AttentionConfig): Attention {
  checkConfig(config, FIELDS, 'attention config');
  const kind = config.kind;
  if (!(ATTENTION_KINDS as readonly unknown[]).includes(kind)) {
    throw badArgument(
      'BAD_CONFIG',
      'attention config.kind',
      `one of ${ATTENTION_KINDS.map((k) => `'${k}'`).join(', ')}`,
      kind,
    );
  }
  const querySize = checkPositiveInteger(config.querySize, 'attention config.querySize');
  const memorySize = checkPositiveInteger(config.memorySize, 'attention config.memorySize');
  if (kind === 'dot' && querySize !== memorySize) {
    throw badArgument(
      'BAD_CONFIG',
      'attention config.memorySize',
      `${querySize} (equal to querySize for 'dot' attention)`,
      memorySize,
    );
  }
  if (kind !== 'additive' && config.units !== undefined) {
    throw badArgument('BAD_CONFIG', 'attention config.units', `undefined (only 'additive' has units)`, config.units);
  }
  const units = kind === 'additive' ? checkPositiveInteger(config.units ?? querySize, 'attention config.units') : 0;
  const full = Object.freeze({
    kind,
    querySize,
    memorySize,
    units,
    kernelInitializer: resolveInitializerName(
      config.kernelInitializer ?? 'glorotUniform',
      'attention config.kernelInitializer',
    ),
  });
  const shapes: Readonly<Record<string, readonly number[]>> =
    kind === 'additive'
      ? { queryKernel: [querySize, units], memoryKernel: [memorySize, units], v: [units] }
      : kind === 'general'
        ? { kernel: [querySize, memorySize] }
        : {};
  const spec: readonly WeightSpec[] = Object.entries(shapes).map(([name, shape]) => ({ name, path: [name], shape }));
  const keySize = kind === 'additive' ? units : querySize;

  const checkMemory = (memory: unknown, argument = 'memory'): [number, number] => {
    const shape = checkTensor(memory, argument, `a float32 tensor of shape [batch, source, ${memorySize}]`).shape;
    if (
      shape.length !== 3 ||
      shape[2] !== memorySize ||
      shape[0] === 0 ||
      shape[1] === 0 ||
      (memory as tf.Tensor).dtype !== 'float32'
    ) {
      throw shapeMismatch(
        argument,
        `a float32 tensor of shape [batch, source, ${memorySize}] (batch, source ≥ 1)`,
        memory,
      );
    }
    return [shape[0] as number, shape[1] as number];
  };

  return Object.freeze({
    kind,
    config: full,
    keySize,
    init(rng: Rng): AttentionParams {
      checkRng(rng, 'attention init rng');
      const init = getInitializer(full.kernelInitializer);
      // A 1-D v gets fans from its only axis; as a [units, 1] column it gets Glorot's fans.
      return Object.fromEntries(
        Object.entries(shapes).map(([name, shape]) =>
          name === 'v' ? [name, tf.tidy(() => tf.reshape(init([units, 1], rng), [units]))] : [name, init(shape, rng)],
        ),
      );
    },
    keys(params: AttentionParams, memory: tf.Tensor3D): tf.Tensor3D {
      checkMemory(memory);
      checkParams(params, spec);
      return tf.tidy(() => memoryKeys(kind, params, memory));
    },
    apply(
      params: AttentionParams,
      query: tf.Tensor2D,
      memory: tf.Tensor3D,
      options: AttendOptions = {},
    ): AttentionOutput {
      checkKnownKeys(options, ['mask', 'keys'], 'options');
      const [batch, source] = checkMemory(memory);
      const qShape = checkTensor(query, 'query', `a float32 tensor of shape [${batch}, ${querySize}]`).shape;
      if (!sameShape(qShape, [batch, querySize]) || query.dtype !== 'float32') {
        throw shapeMismatch(
          'query',
          `a float32 tensor of shape [${batch}, ${querySize}] (memory batch, querySize)`,
          query,
        );
      }
      checkMask(options.mask, batch, source);
      const { keys } = options;
      if (keys !== undefined) {
        checkTensor(keys, 'options.keys', `a float32 tensor of shape [${batch}, ${source}, ${keySize}]`).shape;
        if (!sameShape(keys.shape, [batch, source, keySize]) || keys.dtype !== 'float32') {
          throw shapeMismatch('options.keys', `a float32 tensor of shape [${batch}, ${source}, ${keySize}]`, keys);
        }
      }
      checkParams(params, spec);
      return tf.tidy(() => {
        const k = keys ?? memoryKeys(kind, params, memory);
        const terms = options.mask === undefined ? undefined : maskTerms(options.mask);
        const out = attend(kind, params, query, memory, k, terms);
        return { context: out.context, weights: out.weights };
      }) as unknown as AttentionOutput;
    },
    weightSpec: () => spec,
  });
}

/** See `Attention.keys`; no checks (callers have made them). */
export function memoryKeys(kind: AttentionKind, params: AttentionParams, memory: tf.Tensor3D): tf.Tensor3D {
  if (kind === 'dot') return tf.clone(memory);
  const [batch, source, size] = memory.shape;
  const flat = tf.reshape(memory, [batch * source, size]) as tf.Tensor2D;
  const projected =
    kind === 'additive'
      ? tf.matMul(flat, params.memoryKernel as tf.Tensor2D)
      : tf.matMul(flat, params.kernel as tf.Tensor2D, false, true);
  return tf.reshape(projected, [batch, source, -1]) as tf.Tensor3D;
}

/**
 * What a source mask adds to the scores: 0 at real positions, −∞ at padding (so softmax
 * gives them exactly 0), and 0 in rows without any real position (whose weights `rowAny`
 * then zeroes). Computed once per source, added at every step.
 */
export interface MaskTerms {
  /** `[batch, source]`. */
  readonly bias: tf.Tensor2D;
  /** `[batch, 1]` float32: 1 when the row has a real position. */
  readonly rowAny: tf.Tensor2D;
}

/** `MaskTerms` of a `[batch, source]` mask (non-zero = real). */
export function maskTerms(mask: tf.Tensor2D): MaskTerms {
  const valid = tf.notEqual(mask, 0);
  const rowAny = tf.cast(tf.any(valid, 1, true), 'float32') as tf.Tensor2D;
  const real = tf.logicalOr(valid, tf.logicalNot(tf.cast(rowAny, 'bool')));
  const bias = tf.where(real, tf.zeros(mask.shape), tf.fill(mask.shape, Number.NEGATIVE_INFINITY));
  return { bias: bias as tf.Tensor2D, rowAny };
}

/**
 * One attention read with precomputed `keys` and mask terms (or none); no checks (callers
 * have made them). Tensors it makes are the caller's (run it in a tidy).
 */
export function attend(
  kind: AttentionKind,
  params: AttentionParams,
  query: tf.Tensor2D,
  memory: tf.Tensor3D,
  keys: tf.Tensor3D,
  mask: MaskTerms | undefined,
): AttentionOutput {
  const [batch, source, keySize] = keys.shape;
  let scores: tf.Tensor2D;
  if (kind === 'additive') {
    const q = tf.expandDims(tf.matMul(query, params.queryKernel as tf.Tensor2D), 1);
    const hidden = tf.reshape(tf.tanh(tf.add(keys, q)), [batch * source, keySize]) as tf.Tensor2D;
    scores = tf.reshape(tf.matMul(hidden, tf.reshape(params.v as tf.Tensor1D, [keySize, 1]) as tf.Tensor2D), [
      batch,
      source,
    ]);
  } else {
    scores = tf.reshape(tf.matMul(keys, tf.expandDims(query, 2) as tf.Tensor3D), [batch, source]);
  }
  // Adding −∞ is exact and its gradient is dy itself: no inf enters the backward pass, and
  // softmax's gradient is 0 wherever its output is.
  const weights =
    mask === undefined
      ? tf.softmax(scores)
      : (tf.mul(tf.softmax(tf.add(scores, mask.bias)), mask.rowAny) as tf.Tensor2D);
  const context = tf.reshape(tf.matMul(tf.expandDims(weights, 1) as tf.Tensor3D, memory), [batch, memory.shape[2]]);
  return { context: context as tf.Tensor2D, weights };
}
