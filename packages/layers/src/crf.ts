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
 * Gradients come from tfjs autodiff of these ops. Viterbi decoding (`viterbi`) runs the
 * same recursion with max in place of logsumexp.
 */
import { getInitializer, type InitializerName, type Rng } from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';
import { checkInitializer, checkMask, checkParams, checkRng, mismatch, tensorShape } from './internal/checks.js';
import { checkConfig, positiveInteger } from './internal/config.js';
import type { WeightSpec } from './layer.js';
import { checkIdTensor } from './seq2seq/checks.js';

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

export function crf(config: CrfConfig): Crf {
  checkConfig(config, FIELDS, 'crf config');
  const full = Object.freeze({
    numTags: positiveInteger(config.numTags, 'crf config.numTags'),
    initializer: checkInitializer(config.initializer, 'crf config.initializer', 'uniform'),
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
    const shape = tensorShape(emissions, 'emissions', expected);
    if (shape.length !== 3 || shape[2] !== k || emissions.dtype !== 'float32') {
      throw mismatch('emissions', expected, emissions);
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
      return tf.tidy(() => {
        const mask = realSteps(options?.mask, batch, time);
        return tf.sub(forward(params, emissions, mask), goldScore(params, emissions, tags, mask)) as tf.Tensor1D;
      });
    },
    logPartition(params, emissions, options) {
      const [batch, time] = check(params, emissions, options);
      return tf.tidy(() => forward(params, emissions, realSteps(options?.mask, batch, time)));
    },
    viterbi(params, emissions, options) {
      const [batch, time] = check(params, emissions, options);
      const mask = options?.mask === undefined ? undefined : options.mask.dataSync();
      return viterbiPaths(
        {
          transitions: params.transitions.dataSync(),
          start: params.start.dataSync(),
          end: params.end.dataSync(),
          emissions: emissions.dataSync(),
          mask,
        },
        batch,
        time,
        k,
      );
    },
  };
  return Object.freeze(layer);
}

/** `[batch, time]` bool: where the mask keeps a step (everywhere without one). */
function realSteps(mask: tf.Tensor2D | undefined, batch: number, time: number): tf.Tensor2D {
  return mask === undefined ? (tf.ones([batch, time], 'bool') as tf.Tensor2D) : tf.notEqual(mask, 0);
}

/** Step t of `[batch, time, ...]` as `[batch, ...]`. */
function at(x: tf.Tensor, t: number): tf.Tensor {
  return tf.squeeze(tf.slice(x, [0, t], [-1, 1]), [1]);
}

/** log Z per row by the forward algorithm, skipping masked steps. */
function forward(params: CrfParams, emissions: tf.Tensor3D, mask: tf.Tensor2D): tf.Tensor1D {
  const [batch, time, k] = emissions.shape;
  const start = tf.broadcastTo(params.start, [batch, k]);
  let alpha: tf.Tensor = tf.zeros([batch, k]);
  let started: tf.Tensor = tf.zeros([batch, 1], 'bool');
  for (let t = 0; t < time; t++) {
    const e = at(emissions, t);
    const real = tf.expandDims(at(mask, t), 1);
    // α_{t−1}[i] + A[i, j] as [batch, i, j], reduced over i.
    const moved = tf.logSumExp(tf.add(tf.expandDims(alpha, 2), params.transitions), 1);
    const next = tf.add(tf.where(tf.broadcastTo(started, [batch, k]), moved, start), e);
    alpha = tf.where(tf.broadcastTo(real, [batch, k]), next, alpha);
    started = tf.logicalOr(started, real);
  }
  const logZ = tf.logSumExp(tf.add(alpha, params.end), 1);
  return tf.where(tf.squeeze(started, [1]), logZ, tf.zerosLike(logZ)) as tf.Tensor1D;
}

/** s(tags) per row: start, emission, transition and end scores along the gold path. */
function goldScore(params: CrfParams, emissions: tf.Tensor3D, tags: tf.Tensor2D, mask: tf.Tensor2D): tf.Tensor1D {
  const [batch, time, k] = emissions.shape;
  const real = tf.cast(mask, 'float32');
  // Compared with a range rather than tf.oneHot, which refuses a depth of 1.
  const onehot = tf.cast(tf.equal(tf.expandDims(tags, 2), tf.range(0, k, 1, 'int32')), 'float32') as tf.Tensor3D;
  const emitted = tf.sum(tf.mul(tf.sum(tf.mul(emissions, onehot), 2), real), 1);
  // The previous real step's one-hot tag; zeros before a row's first real step.
  let previous: tf.Tensor = tf.zeros([batch, k]);
  let started: tf.Tensor = tf.zeros([batch, 1]);
  let moves: tf.Tensor = tf.zeros([batch]);
  for (let t = 0; t < time; t++) {
    const y = at(onehot, t);
    const r = tf.expandDims(at(real, t), 1);
    // previous · A · y_t is the transition into step t; start · y_t when nothing came before.
    const transition = tf.sum(tf.mul(tf.matMul(previous, params.transitions), y), 1, true);
    const first = tf.sum(tf.mul(params.start, y), 1, true);
    const score = tf.add(tf.mul(started, transition), tf.mul(tf.sub(1, started), first));
    moves = tf.add(moves, tf.squeeze(tf.mul(score, r), [1]));
    previous = tf.add(tf.mul(y, r), tf.mul(previous, tf.sub(1, r)));
    started = tf.maximum(started, r);
  }
  const last = tf.sum(tf.mul(previous, params.end), 1);
  return tf.add(tf.add(emitted, moves), last) as tf.Tensor1D;
}

interface Values {
  readonly transitions: ArrayLike<number>;
  readonly start: ArrayLike<number>;
  readonly end: ArrayLike<number>;
  readonly emissions: ArrayLike<number>;
  readonly mask: ArrayLike<number> | undefined;
}

function viterbiPaths(v: Values, batch: number, time: number, k: number): CrfPath[] {
  const paths: CrfPath[] = [];
  for (let b = 0; b < batch; b++) {
    const steps: number[] = [];
    for (let t = 0; t < time; t++) if (v.mask === undefined || v.mask[b * time + t] !== 0) steps.push(t);
    if (steps.length === 0) {
      paths.push({ tags: [], score: 0 });
      continue;
    }
    const emit = (t: number, j: number) => v.emissions[(b * time + t) * k + j] as number;
    let delta = Array.from({ length: k }, (_, j) => (v.start[j] as number) + emit(steps[0] as number, j));
    const back: Int32Array[] = [];
    for (const t of steps.slice(1)) {
      const pointers = new Int32Array(k);
      const next = new Array<number>(k);
      for (let j = 0; j < k; j++) {
        let best = -Infinity;
        for (let i = 0; i < k; i++) {
          const s = (delta[i] as number) + (v.transitions[i * k + j] as number);
          if (s > best) {
            best = s;
            pointers[j] = i;
          }
        }
        next[j] = best + emit(t, j);
      }
      back.push(pointers);
      delta = next;
    }
    let tag = 0;
    let score = -Infinity;
    for (let j = 0; j < k; j++) {
      const s = (delta[j] as number) + (v.end[j] as number);
      if (s > score) {
        score = s;
        tag = j;
      }
    }
    const tags = [tag];
    for (let s = back.length - 1; s >= 0; s--) {
      tag = (back[s] as Int32Array)[tag] as number;
      tags.push(tag);
    }
    paths.push({ tags: tags.reverse(), score });
  }
  return paths;
}
