import { badArgument } from '@recur/core';
import { editDistance } from './sequence.js';

/** Error rates of hypotheses scored against the closest of several references each. */
export interface ClosestReferenceRates {
  /** Σ distance to the closest reference / Σ that reference's length (PER for phonemes). */
  readonly tokenErrorRate: number;
  /** Fraction of hypotheses matching none of their references exactly (g2p's WER). */
  readonly sequenceErrorRate: number;
  /** For each hypothesis, the index of the reference it was scored against. */
  readonly closest: readonly number[];
}

/**
 * Error rates when each example has several correct answers, as grapheme-to-phoneme work
 * scores CMUdict (Bisani & Ney 2008, sec. 5; Yao & Zweig 2015, sec. 4): a word is right if
 * the hypothesis equals any listed pronunciation, and its phoneme errors are the edit
 * distance to the closest one (the first listed among equally close ones), whose length
 * is what the rate divides by. With one reference each this is `tokenErrorRate` and
 * `sequenceErrorRate`.
 */
export function closestReferenceErrorRates<T>(
  references: readonly (readonly (readonly T[])[])[],
  hypotheses: readonly (readonly T[])[],
): ClosestReferenceRates {
  if (references.length !== hypotheses.length) {
    throw badArgument(
      'SHAPE_MISMATCH',
      'closestReferenceErrorRates: hypotheses',
      `${references.length} sequences (one per reference set)`,
      hypotheses.length,
    );
  }
  if (references.length === 0) {
    throw badArgument('BAD_DATA', 'closestReferenceErrorRates: references', 'at least one reference set', 0);
  }
  let errors = 0;
  let length = 0;
  let wrong = 0;
  const closest = references.map((set, i) => {
    if (set.length === 0) {
      throw badArgument('BAD_DATA', `closestReferenceErrorRates: references[${i}]`, 'at least one reference', 0);
    }
    const hyp = hypotheses[i] as readonly T[];
    let best = 0;
    let bestDistance = Number.POSITIVE_INFINITY;
    set.forEach((ref, k) => {
      const d = editDistance(ref, hyp);
      if (d < bestDistance) {
        best = k;
        bestDistance = d;
      }
    });
    errors += bestDistance;
    length += (set[best] as readonly T[]).length;
    if (bestDistance > 0) wrong++;
    return best;
  });
  if (length === 0) {
    throw badArgument(
      'BAD_DATA',
      'closestReferenceErrorRates: references',
      'some non-empty sequence',
      'only empty ones',
    );
  }
  return { tokenErrorRate: errors / length, sequenceErrorRate: wrong / references.length, closest };
}
