/**
 * Short movie reviews with their sentiment (1 positive, 0 negative), made from templates
 * so that the examples need no download. Negation flips the label ("not good" is
 * negative), so the order of words matters and a bag of words cannot solve it.
 */
import { Rng } from '@recur/core';

const SUBJECTS = ['the movie', 'the film', 'the plot', 'the acting', 'the ending', 'the music', 'this story'];
const POSITIVE = ['good', 'great', 'wonderful', 'fun', 'moving', 'brilliant', 'charming'];
const NEGATIVE = ['bad', 'awful', 'boring', 'dull', 'weak', 'silly', 'terrible'];
const INTENSIFIERS = ['', 'very ', 'really ', 'quite '];

export interface Reviews {
  readonly texts: string[];
  /** 1 for a positive review, 0 for a negative one. */
  readonly labels: number[];
}

/** `count` reviews drawn with `seed`: the same seed gives the same reviews. */
export function reviews(count: number, seed: number): Reviews {
  const rng = new Rng(seed);
  const pick = (words: readonly string[]) => words[rng.int(words.length)] as string;
  const texts: string[] = [];
  const labels: number[] = [];
  for (let i = 0; i < count; i++) {
    const positive = rng.int(2) === 1;
    const negated = rng.int(3) === 0;
    const word = pick(positive !== negated ? POSITIVE : NEGATIVE);
    texts.push(`${pick(SUBJECTS)} was ${negated ? 'not ' : ''}${pick(INTENSIFIERS)}${word}`);
    labels.push(positive ? 1 : 0);
  }
  return { texts, labels };
}
