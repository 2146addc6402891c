import { Rng } from '@recur/core';
import type { StepModel } from '@recur/decode';
import * as tf from '@tensorflow/tfjs-core';

/** Next-token probabilities as a function of the whole prefix (prompt included). */
export type Distribution = (prefix: readonly number[]) => readonly number[];

export interface TableState {
  readonly prefixes: readonly (readonly number[])[];
  /** A real tensor (each row's prefix length), so decoders must manage state memory. */
  readonly lengths: tf.Tensor2D;
}

export interface TableModel extends StepModel<TableState> {
  /** How often each method ran and how many rows `step` saw each time. */
  readonly calls: { start: number; step: number; stepRows: number[] };
}

/**
 * A `StepModel` written in plain JS: its log-probabilities are `log dist(prefix)` exactly
 * (up to float32), so tests know every probability the decoders see.
 */
export function tableModel(vocabSize: number, dist: Distribution): TableModel {
  const calls = { start: 0, step: 0, stepRows: [] as number[] };
  const output = (prefixes: readonly (readonly number[])[], lengths: tf.Tensor2D) => ({
    logProbs: tf.tensor2d(
      prefixes.flatMap((p) => dist(p).map(Math.log)),
      [prefixes.length, vocabSize],
    ),
    state: { prefixes, lengths },
  });
  return {
    vocabSize,
    calls,
    start(prompts) {
      calls.start++;
      return output(
        prompts.map((p) => [...p]),
        tf.tensor2d(
          prompts.map((p) => p.length),
          [prompts.length, 1],
        ),
      );
    },
    step(tokens, state) {
      calls.step++;
      const ids = Array.isArray(tokens) ? tokens : Array.from((tokens as tf.Tensor1D).dataSync());
      calls.stepRows.push(ids.length);
      if (ids.length !== state.prefixes.length)
        throw new Error(`step: ${ids.length} tokens for ${state.prefixes.length} rows`);
      // Reading the old state's tensor fails loudly if a decoder disposed it too early.
      const lengths = tf.tidy(() => tf.add(state.lengths, 1) as tf.Tensor2D);
      return output(
        state.prefixes.map((p, i) => [...p, ids[i] as number]),
        lengths,
      );
    },
    selectRows(state, rows) {
      const lengths = tf.tidy(() => tf.gather(state.lengths, tf.tensor1d([...rows], 'int32')) as tf.Tensor2D);
      return { prefixes: rows.map((r) => state.prefixes[r] as number[]), lengths };
    },
    disposeState(state) {
      state.lengths.dispose();
    },
  };
}

/** A fixed pseudo-random distribution per prefix, drawn from `seed` and the prefix. */
export function randomDistribution(vocabSize: number, seed: number, floor = 0.02): Distribution {
  return (prefix) => {
    const rng = new Rng(prefix.reduce((h, t) => (h * 31 + t + 1) % 2147483647, seed));
    const w = Array.from({ length: vocabSize }, () => floor + rng.next());
    const total = w.reduce((a, b) => a + b, 0);
    return w.map((x) => x / total);
  };
}

/** The same distribution whatever the prefix. */
export const constant =
  (probs: readonly number[]): Distribution =>
  () =>
    probs;

export interface Scored {
  readonly tokens: number[];
  readonly logProb: number;
  readonly score: number;
  readonly finished: boolean;
}

/**
 * Every continuation of `prompt` up to `maxLength` tokens: those ending with `endToken`
 * and those cut at `maxLength`, scored by GNMT's length penalty, best first. Log-probs
 * are rounded to float32 and summed left to right, as the model hands them over.
 */
export function exhaustive(
  dist: Distribution,
  prompt: readonly number[],
  vocabSize: number,
  options: { endToken?: number; maxLength: number; alpha: number },
): Scored[] {
  const out: Scored[] = [];
  const lp = (n: number) => ((5 + n) / 6) ** options.alpha;
  const walk = (tokens: number[], logProb: number) => {
    const probs = dist([...prompt, ...tokens]);
    for (let v = 0; v < vocabSize; v++) {
      const next = [...tokens, v];
      const total = logProb + Math.fround(Math.log(probs[v] as number));
      if (v === options.endToken)
        out.push({ tokens: next, logProb: total, score: total / lp(next.length), finished: true });
      else if (next.length === options.maxLength)
        out.push({ tokens: next, logProb: total, score: total / lp(next.length), finished: false });
      else walk(next, total);
    }
  };
  walk([], 0);
  return out.sort((a, b) => b.score - a.score);
}
