import { badArgument } from '@recur/core';

/** Levenshtein distance between two token sequences (insertions, deletions, substitutions cost 1). */
export function editDistance<T>(reference: readonly T[], hypothesis: readonly T[]): number {
  const n = hypothesis.length;
  let previous = Array.from({ length: n + 1 }, (_, j) => j);
  for (let i = 1; i <= reference.length; i++) {
    const current = [i];
    for (let j = 1; j <= n; j++) {
      const substitute = (previous[j - 1] as number) + (reference[i - 1] === hypothesis[j - 1] ? 0 : 1);
      current.push(Math.min(substitute, (previous[j] as number) + 1, (current[j - 1] as number) + 1));
    }
    previous = current;
  }
  return previous[n] as number;
}

function pairs<T>(references: readonly (readonly T[])[], hypotheses: readonly (readonly T[])[], name: string): void {
  if (references.length !== hypotheses.length) {
    throw badArgument('SHAPE_MISMATCH', `${name}: hypotheses`, `${references.length} sequences`, hypotheses.length);
  }
  if (references.length === 0) throw badArgument('BAD_DATA', `${name}: references`, 'at least one sequence', 0);
}

/**
 * Token error rate: total edit distance over total reference length. With phonemes as
 * tokens this is the phoneme error rate (PER); with words, ASR's word error rate.
 */
export function tokenErrorRate<T>(
  references: readonly (readonly T[])[],
  hypotheses: readonly (readonly T[])[],
): number {
  pairs(references, hypotheses, 'tokenErrorRate');
  let errors = 0;
  let length = 0;
  references.forEach((ref, i) => {
    errors += editDistance(ref, hypotheses[i] as readonly T[]);
    length += ref.length;
  });
  if (length === 0)
    throw badArgument('BAD_DATA', 'tokenErrorRate: references', 'some non-empty sequence', 'only empty ones');
  return errors / length;
}

/**
 * Sequence error rate: the fraction of sequences not reproduced exactly. In
 * grapheme-to-phoneme work this is what "word error rate" means (a word is wrong if any
 * of its phonemes is).
 */
export function sequenceErrorRate<T>(
  references: readonly (readonly T[])[],
  hypotheses: readonly (readonly T[])[],
): number {
  pairs(references, hypotheses, 'sequenceErrorRate');
  let wrong = 0;
  references.forEach((ref, i) => {
    const hyp = hypotheses[i] as readonly T[];
    if (ref.length !== hyp.length || ref.some((t, k) => t !== hyp[k])) wrong++;
  });
  return wrong / references.length;
}

/** Phoneme error rate, an alias of `tokenErrorRate` named for grapheme-to-phoneme use. */
export const phonemeErrorRate = tokenErrorRate;
/**
 * Word error rate as in speech recognition: the token error rate of sentences split on
 * whitespace. (In grapheme-to-phoneme papers "word error rate" means the fraction of
 * words with any phoneme wrong: that is `sequenceErrorRate` of phoneme sequences.)
 */
export function wordErrorRate(references: readonly string[], hypotheses: readonly string[]): number {
  const words = (s: string) => s.split(/\s+/).filter(Boolean);
  return tokenErrorRate(references.map(words), hypotheses.map(words));
}
