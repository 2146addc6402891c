import { badArgument } from '@recur/core';

/**
 * GNMT length penalty (Wu et al. 2016, "Google's Neural Machine Translation System",
 * section 7): lp(Y) = (5 + |Y|)^α / 6^α. A hypothesis scores log P(Y) / lp(Y); α = 0 ranks
 * by probability alone, larger α favours longer output, since log P only falls with length.
 * `length` counts the generated tokens, the end token included.
 */
export function lengthPenalty(length: number, alpha: number): number {
  if (typeof length !== 'number' || !Number.isInteger(length) || length < 0) {
    throw badArgument('BAD_CONFIG', 'length', 'an integer ≥ 0', length);
  }
  assertAlpha(alpha, 'alpha');
  return penalty(length, alpha);
}

/** α must be ≥ 0: the beam search's stopping bound relies on lp growing with length. */
export function assertAlpha(alpha: unknown, argument: string): asserts alpha is number {
  if (typeof alpha !== 'number' || !Number.isFinite(alpha) || alpha < 0) {
    throw badArgument('BAD_CONFIG', argument, 'a finite number ≥ 0', alpha);
  }
}

/** `lengthPenalty` without the checks, for the search's inner loop. */
export function penalty(length: number, alpha: number): number {
  return ((5 + length) / 6) ** alpha;
}
