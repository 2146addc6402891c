import { assertFraction, badArgument } from '@recur/core';

import { hashToUnit } from './hash.js';

export type SplitName = 'train' | 'validation' | 'test';

/**
 * Assigns keys to splits by hash: deterministic, independent of the order and number of
 * the other examples, and the same for every example sharing a key.
 */
export function hashSplitter(validation: unknown, test: unknown, argument: string): (key: string) => SplitName {
  assertFraction(validation, `${argument}.validation`);
  assertFraction(test, `${argument}.test`);
  if (validation + test >= 1) {
    throw badArgument('BAD_CONFIG', `${argument}.validation + ${argument}.test`, 'a sum below 1', validation + test);
  }
  const trainEnd = 1 - validation - test;
  const validationEnd = 1 - test;
  return (key) => {
    const u = hashToUnit(key);
    return u < trainEnd ? 'train' : u < validationEnd ? 'validation' : 'test';
  };
}
