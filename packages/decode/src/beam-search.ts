import { assertPositiveInteger, badArgument } from '@recur/core';
import { assertAlpha, penalty } from './length-penalty.js';
import type { StepModel } from './step-model.js';
import { assertOptionsObject, assertPrompts, assertStepModel, assertTokenId, readLogProbs } from './validate.js';

/** How `beamSearch` searches and what it returns. */
export interface BeamSearchOptions {
  /** Live hypotheses kept per input. Integer ≥ 1. */
  readonly beamWidth: number;
  /** Most tokens per hypothesis (the end token included). Integer ≥ 1. */
  readonly maxLength: number;
  /** A hypothesis that emits this token is finished. Default: none (all run to `maxLength`). */
  readonly endToken?: number;
  /** GNMT α (see `lengthPenalty`): finite, ≥ 0; default 0 (plain log-probability). */
  readonly lengthPenalty?: number;
  /** Hypotheses returned per input, best first. Integer in [1, beamWidth]; default 1. */
  readonly nBest?: number;
}

/** One finished (or cut) output of `beamSearch`, with its log-probability and score. */
export interface Hypothesis {
  /** Generated token ids (the prompt excluded, the end token included when finished). */
  readonly tokens: number[];
  /** log P(tokens | prompt), summed over the model's log-probabilities. */
  readonly logProb: number;
  /** `logProb / lengthPenalty(tokens.length, α)`: what hypotheses are ranked by. */
  readonly score: number;
  /** True when it ended with the end token; false when it was cut at `maxLength`. */
  readonly finished: boolean;
}

interface Beam {
  readonly tokens: number[];
  readonly logProb: number;
}

interface Candidate {
  readonly beam: number;
  readonly token: number;
  readonly logProb: number;
}

/**
 * Beam search over a batch of prompts; returns, for each prompt, up to `nBest` distinct
 * hypotheses sorted by score (best first). All inputs share one model call per step.
 *
 * The rule, per input and per step (as in Hugging Face's `BeamSearchScorer`): every live
 * hypothesis is extended by every token and the candidates are ranked by log-probability
 * (ties: earlier hypothesis, then lower token id; impossible ones, −∞, are dropped). A
 * candidate ending with the end token leaves the beam for the finished list if it ranks
 * among the first `beamWidth`; the best `beamWidth` other candidates form the next beam.
 * An input stops when
 * - it has `nBest` finished hypotheses and the `nBest`-th best score is at least the best
 *   any live hypothesis could still reach: log-probabilities are ≤ 0 and lp grows with
 *   length, so a live hypothesis with log-probability ℓ can score at most
 *   ℓ / lp(maxLength). Stopping then never changes the result; or
 * - its hypotheses reach `maxLength`: the live ones join the candidates unfinished,
 *   scored by the same formula at their length.
 * With a beam wide enough to hold every candidate, this is exhaustive search.
 *
 * Holds no tensor when it returns or throws.
 */
export function beamSearch<State>(
  model: StepModel<State>,
  prompts: readonly (readonly number[])[],
  options: BeamSearchOptions,
): Hypothesis[][] {
  assertStepModel(model);
  assertPrompts(prompts, model.vocabSize);
  assertBeamOptions(options, model.vocabSize);
  const { beamWidth, maxLength, endToken } = options;
  const alpha = options.lengthPenalty ?? 0;
  const nBest = options.nBest ?? 1;
  const vocab = model.vocabSize;
  const hypothesis = (tokens: number[], logProb: number, finished: boolean): Hypothesis => ({
    tokens,
    logProb,
    score: logProb / penalty(tokens.length, alpha),
    finished,
  });
  const done: Hypothesis[][] = prompts.map(() => []);
  // The state's rows are the live beams of each searching input, input after input.
  let groups = prompts.map((_, input) => ({ input, beams: [{ tokens: [], logProb: 0 }] as Beam[] }));

  const first = model.start(prompts);
  let state = first.state;
  let logProbs = first.logProbs;
  try {
    for (let length = 1; ; length++) {
      const lp = readLogProbs(
        logProbs,
        groups.reduce((n, g) => n + g.beams.length, 0),
        vocab,
      );
      const nextGroups: typeof groups = [];
      const parents: number[] = [];
      const tokens: number[] = [];
      let base = 0;
      for (const { input, beams } of groups) {
        const finished = done[input] as Hypothesis[];
        const live: Beam[] = [];
        const liveParents: number[] = [];
        topCandidates(lp, base, beams, vocab, 2 * beamWidth).forEach((c, rank) => {
          const seq = [...(beams[c.beam] as Beam).tokens, c.token];
          if (c.token === endToken) {
            if (rank < beamWidth) finished.push(hypothesis(seq, c.logProb, true));
          } else if (live.length < beamWidth) {
            live.push({ tokens: seq, logProb: c.logProb });
            liveParents.push(base + c.beam);
          }
        });
        base += beams.length;
        if (length >= maxLength) {
          for (const b of live) finished.push(hypothesis(b.tokens, b.logProb, false));
        } else if (live.length > 0 && !settled(finished, live, nBest, penalty(maxLength, alpha))) {
          nextGroups.push({ input, beams: live });
          parents.push(...liveParents);
          tokens.push(...live.map((b) => b.tokens[b.tokens.length - 1] as number));
        }
      }
      groups = nextGroups;
      if (groups.length === 0) break;
      const selected = model.selectRows(state, parents);
      model.disposeState(state);
      state = selected;
      const next = model.step(tokens, state);
      model.disposeState(state);
      state = next.state;
      logProbs = next.logProbs;
    }
  } finally {
    model.disposeState(state);
  }
  // Array.prototype.sort is stable: equal scores keep the order they were found in.
  return done.map((list) => list.sort((a, b) => b.score - a.score).slice(0, nBest));
}

/** True when no live hypothesis can beat the `nBest`-th finished one (see `beamSearch`). */
function settled(finished: readonly Hypothesis[], live: readonly Beam[], nBest: number, maxPenalty: number): boolean {
  if (finished.length < nBest) return false;
  const nth = finished.map((h) => h.score).sort((a, b) => b - a)[nBest - 1] as number;
  const bestLive = Math.max(...live.map((b) => b.logProb));
  return nth >= bestLive / maxPenalty;
}

/**
 * The `n` best extensions of `beams` (rows `base …` of `lp`), best first, by a bounded
 * insertion sort: O(beams · vocab) comparisons against the current n-th, which is what
 * matters when vocab ≫ n.
 */
function topCandidates(lp: Float32Array, base: number, beams: readonly Beam[], vocab: number, n: number): Candidate[] {
  const top: Candidate[] = [];
  beams.forEach((beam, b) => {
    const offset = (base + b) * vocab;
    for (let token = 0; token < vocab; token++) {
      const logProb = beam.logProb + (lp[offset + token] as number);
      if (logProb === Number.NEGATIVE_INFINITY) continue;
      // Candidates arrive in (beam, token) order, so an equal one already kept wins the tie.
      if (top.length === n && (top[n - 1] as Candidate).logProb >= logProb) continue;
      let at = top.length;
      while (at > 0 && (top[at - 1] as Candidate).logProb < logProb) at--;
      top.splice(at, 0, { beam: b, token, logProb });
      if (top.length > n) top.pop();
    }
  });
  return top;
}

function assertBeamOptions(options: unknown, vocabSize: number): asserts options is BeamSearchOptions {
  assertOptionsObject(options);
  const o = options as Partial<BeamSearchOptions>;
  assertPositiveInteger(o.beamWidth, 'options.beamWidth');
  assertPositiveInteger(o.maxLength, 'options.maxLength');
  if (o.endToken !== undefined) assertTokenId(o.endToken, vocabSize, 'options.endToken', 'BAD_CONFIG');
  if (o.lengthPenalty !== undefined) assertAlpha(o.lengthPenalty, 'options.lengthPenalty');
  const nBest = o.nBest;
  if (
    nBest !== undefined &&
    (typeof nBest !== 'number' || !Number.isInteger(nBest) || nBest < 1 || nBest > o.beamWidth)
  ) {
    throw badArgument('BAD_CONFIG', 'options.nBest', `an integer in [1, beamWidth = ${o.beamWidth}]`, nBest);
  }
}
