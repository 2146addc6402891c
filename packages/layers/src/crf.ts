/**
 * Linear-chain conditional random field over per-step emission scores (Lafferty et al.
 * 2001; as the output layer of a BiLSTM tagger, Huang et al. 2015 and Lample et al. 2016,
 * sec. 2.2). For emissions P [time, tags] and a tag path y of a sequence's real steps
 * t = 1..n:
 *
 *     s(y) = start[y_1] + Σ_t P[t, y_t] + Σ_{t>1} A[y_{t−1}, y_t] + end[y_n]
 *     −log p(y | P) = log Σ_y' exp s(y') − s(y)
 *
 * The sum over all paths is the forward algorithm in log space:
 *
 *     α_1 = start + P[1]        α_t[j] = logsumexp_i(α_{t−1}[i] + A[i, j]) + P[t, j]
 *     log Z = logsumexp_j(α_n[j] + end[j])
 *
 * Masked steps are skipped wherever they fall (α and the previous gold tag carry over),
 * so a row's real steps need not be contiguous; a row with no real step has NLL 0.
 * The sums, their analytic gradient (the path marginals) and Viterbi decoding (the same
 * recursion with max in place of logsumexp) are in `crf-lattice.ts`.
 */
import {
  checkConfig,
  checkMask,
  checkPositiveInteger,
  checkRng,
  checkTensor,
  getInitializer,
  type InitializerName,
  type Rng,
  resolveInitializerName,
  shapeMismatch,
} from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';
import { type CrfValues, crfSums, viterbiPaths } from './crf-lattice.js';
import type { WeightSpec } from './layer.js';
import { checkParams } from './param-tree.js';
import { checkIdTensor } from './seq2seq/checks.js';

/** Config of a `crf`: the number of tags and the initializer of its scores. */
export interface CrfConfig {
  /** Number of tags. Required. */
  readonly numTags: number;
  /**
   * Initializer of the transitions and of the start and end scores. Default `'uniform'`
   * (U(−0.05, 0.05)): small, so training starts close to per-step softmax decisions.
   */
  readonly initializer?: InitializerName | (string & {});
}

/** `transitions[i, j]`: score of tag j following tag i; `start` / `end`: of a path's first and last tag. */
export type CrfParams = {
  readonly transitions: tf.Tensor2D;
  readonly start: tf.Tensor1D;
  readonly end: tf.Tensor1D;
};

/** Options of the NLL and of Viterbi decoding. */
export interface CrfOptions {
  /** `[batch, time]`, 1 (or true) for real steps, 0 for padding; any dtype. Default: every step is real. */
  readonly mask?: tf.Tensor2D;
}

/** A best path per row: the tags of its real steps (padding left out) and the path's score s(y). */
export interface CrfPath {
  readonly tags: number[];
  readonly score: number;
}

/** A linear-chain CRF (from `crf(config)`): its weights, the sequence NLL, log Z and Viterbi decoding. */
export interface Crf {
  readonly kind: 'crf';
  readonly config: Readonly<Required<CrfConfig>>;
  /** Fresh params; the caller owns them. */
  init(rng: Rng): CrfParams;
  /** Weight shapes by path. */
  weightSpec(): readonly WeightSpec[];
  /**
   * −log p(tags | emissions) per row, `[batch]`: log Z − s(tags). `emissions` is float32
   * `[batch, time, numTags]`, `tags` int32 `[batch, time]` in [0, numTags) (their values
   * at masked steps do not count). Differentiable in the params and the emissions. The caller owns the result.
   */
  nll(params: CrfParams, emissions: tf.Tensor3D, tags: tf.Tensor2D, options?: CrfOptions): tf.Tensor1D;
  /** log Z per row, `[batch]` (0 for a row with no real step). The caller owns the result. */
  logPartition(params: CrfParams, emissions: tf.Tensor3D, options?: CrfOptions): tf.Tensor1D;
  /**
   * The highest-scoring tag path of each row (Viterbi), computed in float64 on the CPU
   * from the tensors' values: it is a discrete search that feeds no gradient, and its
   * result is wanted as plain arrays. Ties go to the lower tag id.
   */
  viterbi(params: CrfParams, emissions: tf.Tensor3D, options?: CrfOptions): CrfPath[];
}

const FIELDS = ['numTags', 'initializer'] as const;

/** A linear-chain CRF over per-step emission scores, as the output layer of a tagger. */
export function crf(config: CrfConfig): Crf {
  checkConfig(config, FIELDS, 'crf config');
  const full = Object.freeze({
    numTags: checkPositiveInteger(config.numTags, 'crf config.numTags'),
    initializer: resolveInitializerName(config.initializer ?? 'uniform', 'crf config.initializer'),
  });
  const k = full.numTags;
  const spec: readonly WeightSpec[] = [
    { name: 'transitions', path: ['transitions'], shape: [k, k] },
    { name: 'start', path: ['start'], shape: [k] },
    { name: 'end', path: ['end'], shape: [k] },
  ];

  /** Checks params, emissions and mask; returns [batch, time]. */
  function check(params: CrfParams, emissions: tf.Tensor3D, options: CrfOptions | undefined): [number, number] {
    checkConfig(options ?? {}, ['mask'], 'options');
    checkParams(params, spec);
    const expected = `a float32 tensor of shape [batch, time, ${k}]`;
    const { shape } = checkTensor(emissions, 'emissions', expected);
    if (shape.length !== 3 || shape[2] !== k || emissions.dtype !== 'float32') {
      throw shapeMismatch('emissions', expected, emissions);
    }
    const [batch, time] = shape as [number, number, number];
    checkMask(options?.mask, batch, time);
    return [batch, time];
  }

  const layer: Crf = {
    kind: 'crf' as const,
    config: full,
    init(rng: Rng): CrfParams {
      checkRng(rng, 'crf init rng');
      const init = getInitializer(full.initializer);
      return {
        transitions: init([k, k], rng) as tf.Tensor2D,
        start: init([k], rng) as tf.Tensor1D,
        end: init([k], rng) as tf.Tensor1D,
      };
    },
    weightSpec: () => spec,
    nll(params, emissions, tags, options) {
      const [batch, time] = check(params, emissions, options);
      checkIdTensor(tags, [batch, time], k, 'tags');
      return pathSums(params, emissions, options?.mask?.dataSync(), tags.dataSync());
    },
    logPartition(params, emissions, options) {
      check(params, emissions, options);
      return pathSums(params, emissions, options?.mask?.dataSync(), undefined);
    },
    viterbi(params, emissions, options) {
      const [batch, time] = check(params, emissions, options);
      return viterbiPaths(
        {
          transitions: params.transitions.dataSync(),
          start: params.start.dataSync(),
          end: params.end.dataSync(),
          emissions: emissions.dataSync(),
          batch,
          time,
          k,
        },
        options?.mask?.dataSync(),
      );
    },
  };
  return Object.freeze(layer);
}

/**
 * log Z − s(tags) per row (log Z alone without `tags`) as one differentiable op: the sums
 * run in `crfSums`, their analytic gradient reaches the graph through `tf.customGrad`.
 */
function pathSums(
  params: CrfParams,
  emissions: tf.Tensor3D,
  mask: ArrayLike<number> | undefined,
  tags: ArrayLike<number> | undefined,
): tf.Tensor1D {
  const [batch, time, k] = emissions.shape;
  const read = (e: tf.Tensor, a: tf.Tensor, s: tf.Tensor, z: tf.Tensor): CrfValues => ({
    emissions: e.dataSync(),
    transitions: a.dataSync(),
    start: s.dataSync(),
    end: z.dataSync(),
    batch,
    time,
    k,
  });
  const op = tf.customGrad((e, a, s, z, save) => {
    const inputs = [e, a, s, z] as tf.Tensor[];
    (save as tf.GradSaveFunc)(inputs);
    const { values } = crfSums(
      read(...(inputs as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor])),
      mask,
      tags,
      undefined,
    );
    return {
      value: tf.tensor1d(Float32Array.from(values)),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [se, sa, ss, sz] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
        const { grad } = crfSums(read(se, sa, ss, sz), mask, tags, dy.dataSync());
        return [
          tf.tensor3d(Float32Array.from(grad.emissions), [batch, time, k]),
          tf.tensor2d(Float32Array.from(grad.transitions), [k, k]),
          tf.tensor1d(Float32Array.from(grad.start)),
          tf.tensor1d(Float32Array.from(grad.end)),
        ];
      },
    };
  });
  return op(emissions, params.transitions, params.start, params.end) as tf.Tensor1D;
}
