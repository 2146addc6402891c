import { assertPositiveInteger, badArgument, RecurError, type Rng } from '@recur/core';
import { assertOptionsObject } from './validate.js';

/** Always the most probable token (ties go to the lower token id). */
export interface GreedyStrategy {
  readonly kind: 'greedy';
}

/**
 * Draw the next token at random. Filters apply in this order: temperature, then top-k,
 * then top-p on the distribution renormalised over the top-k survivors (as Hugging Face's
 * logits processors do).
 */
export interface SampleStrategy {
  readonly kind: 'sample';
  /** The random source; one `rng.next()` per row per step, so a seed reproduces a run. */
  readonly rng: Rng;
  /** Divides the log-probabilities: < 1 sharpens, > 1 flattens. Finite and > 0; default 1. */
  readonly temperature?: number;
  /** Keep only the k most probable tokens. Integer ≥ 1; default: all. */
  readonly topK?: number;
  /**
   * Nucleus sampling (Holtzman et al. 2020): keep the smallest set of most probable tokens
   * whose probability reaches p, never fewer than one. In (0, 1]; default 1 (all).
   */
  readonly topP?: number;
}

/** How the next token is chosen from the model's distribution: greedily or by sampling. */
export type DecodeStrategy = GreedyStrategy | SampleStrategy;

export function assertStrategy(strategy: unknown, argument: string): asserts strategy is DecodeStrategy {
  assertOptionsObject(strategy, argument);
  const s = strategy as Omit<Partial<SampleStrategy>, 'kind'> & { kind?: unknown };
  if (s.kind === 'greedy') return;
  if (s.kind !== 'sample') {
    throw badArgument('BAD_CONFIG', `${argument}.kind`, "'greedy' or 'sample'", s.kind);
  }
  if (typeof (s.rng as { next?: unknown } | undefined)?.next !== 'function') {
    throw badArgument('BAD_CONFIG', `${argument}.rng`, 'an Rng from @recur/core', s.rng);
  }
  const { temperature, topK, topP } = s;
  if (
    temperature !== undefined &&
    (typeof temperature !== 'number' || !Number.isFinite(temperature) || temperature <= 0)
  ) {
    throw badArgument('BAD_CONFIG', `${argument}.temperature`, 'a finite number > 0', temperature);
  }
  if (topK !== undefined) assertPositiveInteger(topK, `${argument}.topK`);
  if (topP !== undefined && (typeof topP !== 'number' || !(topP > 0 && topP <= 1))) {
    throw badArgument('BAD_CONFIG', `${argument}.topP`, 'a number in (0, 1]', topP);
  }
}

/**
 * Picks one token from row `row` of host log-probabilities `[rows, vocab]`. Sampling is by
 * inverse CDF over the surviving tokens, most probable first, with a single `rng.next()`.
 */
export function chooseToken(logProbs: Float32Array, row: number, vocab: number, strategy: DecodeStrategy): number {
  const offset = row * vocab;
  if (strategy.kind === 'greedy') {
    let best = 0;
    for (let v = 1; v < vocab; v++) {
      if ((logProbs[offset + v] as number) > (logProbs[offset + best] as number)) best = v;
    }
    assertPossible(logProbs[offset + best] as number, row);
    return best;
  }
  const invT = 1 / (strategy.temperature ?? 1);
  let max = Number.NEGATIVE_INFINITY;
  for (let v = 0; v < vocab; v++) max = Math.max(max, (logProbs[offset + v] as number) * invT);
  assertPossible(max, row);
  // Relative to the maximum, so the most probable token weighs exactly 1 and nothing overflows.
  const weights = new Float64Array(vocab);
  for (let v = 0; v < vocab; v++) weights[v] = Math.exp((logProbs[offset + v] as number) * invT - max);
  const order = Array.from({ length: vocab }, (_, v) => v);
  order.sort((a, b) => (weights[b] as number) - (weights[a] as number) || a - b);

  let keep = Math.min(strategy.topK ?? vocab, vocab);
  const topP = strategy.topP ?? 1;
  if (topP < 1) {
    let mass = 0;
    for (let i = 0; i < keep; i++) mass += weights[order[i] as number] as number;
    let cumulative = 0;
    for (let i = 0; i < keep; i++) {
      cumulative += weights[order[i] as number] as number;
      if (cumulative >= topP * mass) {
        keep = i + 1;
        break;
      }
    }
  }
  let total = 0;
  for (let i = 0; i < keep; i++) total += weights[order[i] as number] as number;
  const u = strategy.rng.next() * total;
  let cumulative = 0;
  for (let i = 0; i < keep; i++) {
    cumulative += weights[order[i] as number] as number;
    if (u < cumulative) return order[i] as number;
  }
  return order[keep - 1] as number;
}

function assertPossible(best: number, row: number): void {
  if (best === Number.NEGATIVE_INFINITY) {
    throw new RecurError(
      'BAD_DATA',
      `model logProbs: expected at least one possible token, received −∞ for every token in row ${row}`,
    );
  }
}
