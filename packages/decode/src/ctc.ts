/**
 * Decoding the per-step class scores of a network trained with CTC (Graves et al. 2006,
 * sec. 3.2): greedy best-path decoding, and prefix beam search (Graves et al. 2006,
 * sec. 3.2 "prefix search decoding"; in the form of Hannun et al. 2014, "First-pass large
 * vocabulary continuous speech recognition using bi-directional recurrent DNNs", Alg. 1),
 * which sums every alignment of a prefix and can weigh each emitted token with a language
 * model. Both read the log-probabilities' values once and work in float64 on the CPU.
 */
import { assertPositiveInteger, badArgument } from '@recur/core';
import type * as tf from '@tensorflow/tfjs-core';
import { assertOptionsObject } from './validate.js';

/** Options shared by `ctcGreedy` and `ctcPrefixBeamSearch`: the blank class and each row's length. */
export interface CtcDecodeOptions {
  /** The blank class. Default 0 (as PyTorch's CTC loss). */
  readonly blank?: number;
  /** Steps of each row to decode, each in [0, time]. Default: every step. */
  readonly inputLengths?: readonly number[];
}

/** Options of `ctcPrefixBeamSearch`: the beam width, pruning and an optional language-model scorer. */
export interface CtcPrefixBeamOptions extends CtcDecodeOptions {
  /** Prefixes kept after each step. Integer ≥ 1. */
  readonly beamWidth: number;
  /**
   * A class whose log-probability at a step is below this is not tried there (the step's
   * most probable class always is). Default −Infinity: every class is tried.
   */
  readonly pruneBelow?: number;
  /**
   * Log-weight added when `token` extends `prefix` (a language model: α log P_LM(token |
   * prefix) + β, Hannun et al. eq. 1). Called for each prefix of the beam and each token
   * tried at each step.
   */
  readonly scorer?: (prefix: readonly number[], token: number) => number;
}

/** One decoded CTC label sequence and its log-score. */
export interface CtcHypothesis {
  /** The emitted labels: repeats merged, blanks dropped. */
  readonly tokens: number[];
  /**
   * Greedy: log-probability of the best path. Prefix beam: log of the summed probability
   * of every alignment of `tokens` the search kept, plus the scorer's weights.
   */
  readonly score: number;
}

interface Checked {
  readonly rows: number;
  readonly time: number;
  readonly classes: number;
  readonly values: ArrayLike<number>;
  readonly blank: number;
  readonly lengths: readonly number[];
}

function check(logProbs: unknown, options: CtcDecodeOptions, known: readonly string[]): Checked {
  const lp = logProbs as tf.Tensor;
  if (lp === null || typeof lp !== 'object' || !Array.isArray(lp.shape) || lp.rank !== 3 || lp.dtype !== 'float32') {
    throw badArgument('SHAPE_MISMATCH', 'logProbs', 'a float32 tensor of shape [batch, time, classes]', logProbs);
  }
  assertOptionsObject(options);
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw badArgument('BAD_CONFIG', `options.${key}`, `one of ${known.join(', ')}`, key);
  }
  const [rows, time, classes] = lp.shape as [number, number, number];
  const blank = options.blank ?? 0;
  if (!Number.isInteger(blank) || blank < 0 || blank >= classes) {
    throw badArgument('BAD_CONFIG', 'options.blank', `an integer in [0, ${classes})`, blank);
  }
  const lengths = options.inputLengths ?? Array.from({ length: rows }, () => time);
  if (!Array.isArray(lengths) || lengths.length !== rows) {
    throw badArgument('BAD_DATA', 'options.inputLengths', `an array of ${rows} lengths (one per row)`, lengths);
  }
  lengths.forEach((n, b) => {
    if (!Number.isInteger(n) || n < 0 || n > time) {
      throw badArgument('BAD_DATA', `options.inputLengths[${b}]`, `an integer in [0, ${time}]`, n);
    }
  });
  return { rows, time, classes, values: lp.dataSync(), blank, lengths };
}

/**
 * Best-path decoding: the most probable class at each step, repeats merged, blanks dropped.
 * `logProbs` is `[batch, time, classes]` (log-softmax outputs); one hypothesis per row.
 */
export function ctcGreedy(logProbs: tf.Tensor3D, options: CtcDecodeOptions = {}): CtcHypothesis[] {
  const { rows, time, classes, values, blank, lengths } = check(logProbs, options, ['blank', 'inputLengths']);
  return Array.from({ length: rows }, (_, b) => {
    const tokens: number[] = [];
    let score = 0;
    let previous = blank;
    for (let t = 0; t < (lengths[b] as number); t++) {
      const at = (b * time + t) * classes;
      let best = 0;
      for (let k = 1; k < classes; k++) if ((values[at + k] as number) > (values[at + best] as number)) best = k;
      score += values[at + best] as number;
      if (best !== blank && best !== previous) tokens.push(best);
      previous = best;
    }
    return { tokens, score };
  });
}

function logAdd(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
}

/** A prefix's probability split by whether its alignments end in a blank or in its last token. */
interface Entry {
  readonly tokens: number[];
  blank: number;
  label: number;
}

/**
 * Prefix beam search: the `beamWidth` best label prefixes after each step, each scored by
 * the summed probability of its alignments (times the scorer's weights). Returns each
 * row's final beam, best first.
 */
export function ctcPrefixBeamSearch(logProbs: tf.Tensor3D, options: CtcPrefixBeamOptions): CtcHypothesis[][] {
  const known = ['blank', 'inputLengths', 'beamWidth', 'pruneBelow', 'scorer'];
  const { rows, time, classes, values, blank, lengths } = check(logProbs, options, known);
  assertPositiveInteger(options.beamWidth, 'options.beamWidth');
  const pruneBelow = options.pruneBelow ?? -Infinity;
  if (typeof pruneBelow !== 'number' || Number.isNaN(pruneBelow)) {
    throw badArgument('BAD_CONFIG', 'options.pruneBelow', 'a number (a log-probability)', pruneBelow);
  }
  const { scorer } = options;
  if (scorer !== undefined && typeof scorer !== 'function') {
    throw badArgument('BAD_CONFIG', 'options.scorer', 'a function (prefix, token) => log-weight', scorer);
  }
  const total = (e: Entry) => logAdd(e.blank, e.label);

  return Array.from({ length: rows }, (_, b) => {
    let beam: Entry[] = [{ tokens: [], blank: 0, label: -Infinity }];
    for (let t = 0; t < (lengths[b] as number); t++) {
      const at = (b * time + t) * classes;
      const y = (k: number) => values[at + k] as number;
      let top = 0;
      for (let k = 1; k < classes; k++) if (y(k) > y(top)) top = k;
      const next = new Map<string, Entry>();
      const entry = (tokens: number[]) => {
        const key = tokens.join(',');
        let e = next.get(key);
        if (e === undefined) {
          e = { tokens, blank: -Infinity, label: -Infinity };
          next.set(key, e);
        }
        return e;
      };
      for (const prefix of beam) {
        const last = prefix.tokens[prefix.tokens.length - 1];
        for (let k = 0; k < classes; k++) {
          if (y(k) < pruneBelow && k !== top) continue;
          if (k === blank) {
            const same = entry(prefix.tokens);
            same.blank = logAdd(same.blank, total(prefix) + y(k));
            continue;
          }
          // The same label again needs a blank between: only alignments ending in blank extend.
          const from = k === last ? prefix.blank : total(prefix);
          if (from > -Infinity) {
            const grown = entry([...prefix.tokens, k]);
            grown.label = logAdd(grown.label, from + y(k) + (scorer === undefined ? 0 : scorer(prefix.tokens, k)));
          }
          if (k === last && prefix.label > -Infinity) {
            const same = entry(prefix.tokens);
            same.label = logAdd(same.label, prefix.label + y(k));
          }
        }
      }
      beam = [...next.values()].sort((p, q) => total(q) - total(p)).slice(0, options.beamWidth);
    }
    return beam.map((e) => ({ tokens: e.tokens, score: total(e) }));
  });
}
