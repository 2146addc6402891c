import { badArgument } from '../errors.js';
import type { Rng } from '../random.js';

/**
 * True when `value` can serve as an `Rng` (it draws with `nextUint32`). Duck-typed, as
 * `isTensor`, so an `Rng` from a second copy of `@recur/core` is accepted.
 */
export function isRng(value: unknown): value is Rng {
  return value !== null && typeof value === 'object' && typeof (value as Rng).nextUint32 === 'function';
}

/**
 * `value` as an `Rng`, or `BAD_CONFIG` naming `argument`. Every random draw takes an
 * explicit `Rng` (weights, dropout masks, sampling); anything else would make seeds
 * meaningless, so there is no fallback to `Math.random`.
 */
export function checkRng(value: unknown, argument: string): Rng {
  if (!isRng(value)) throw badArgument('BAD_CONFIG', argument, 'an Rng from @recur/core (new Rng(seed))', value);
  return value;
}

/** Narrows `value` to an `Rng` (as `checkRng`), else throws `BAD_CONFIG`. */
export function assertRng(value: unknown, argument: string): asserts value is Rng {
  checkRng(value, argument);
}
