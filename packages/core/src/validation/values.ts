/**
 * Checks of plain values, each rule written once. `check*` returns the checked value (for
 * reading a config field inline: `units: checkPositiveInteger(c.units, 'config.units')`,
 * some with the default of an omitted field);
 * `assert*` narrows its argument in place. Every failure is `RecurError('BAD_CONFIG')`
 * naming the argument, what was expected and what came.
 */
import { badArgument } from '../errors.js';

/** A positive integer (a size, a count), returned; throws `BAD_CONFIG` naming `argument` otherwise. */
export function checkPositiveInteger(value: unknown, argument: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw badArgument('BAD_CONFIG', argument, 'a positive integer', value);
  }
  return value;
}

export function assertPositiveInteger(value: unknown, argument: string): asserts value is number {
  checkPositiveInteger(value, argument);
}

/** Narrows `value` to an integer ≥ 0 (an index, a seed, a count that may be zero), else throws `BAD_CONFIG`. */
export function assertNonNegativeInteger(value: unknown, argument: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw badArgument('BAD_CONFIG', argument, 'a non-negative integer', value);
  }
}

export function assertFiniteNumber(value: unknown, argument: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw badArgument('BAD_CONFIG', argument, 'a finite number', value);
  }
}

/** A positive finite number (a learning rate, an epsilon); `fallback` when `value` is undefined. */
export function checkPositiveNumber(value: unknown, argument: string, fallback?: number): number {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw badArgument('BAD_CONFIG', argument, 'a positive finite number', value);
  }
  return value;
}

/**
 * A number in [0, 1): a dropout or zoneout rate, a held-out fraction. 1 is excluded
 * because it drops everything (and inverted dropout would divide by zero). `fallback`
 * when `value` is undefined.
 */
export function checkFraction(value: unknown, argument: string, fallback?: number): number {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value >= 1) {
    throw badArgument('BAD_CONFIG', argument, 'a number in [0, 1)', value);
  }
  return value;
}

/** Narrows `value` to a number in [0, 1) (as `checkFraction`, with no default), else throws `BAD_CONFIG`. */
export function assertFraction(value: unknown, argument: string): asserts value is number {
  checkFraction(value, argument);
}

/** `true` or `false`; `fallback` when `value` is undefined (an option left out). */
export function checkBoolean(value: unknown, argument: string, fallback?: boolean): boolean {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'boolean') throw badArgument('BAD_CONFIG', argument, 'a boolean', value);
  return value;
}

/** Narrows `value` to a boolean (as `checkBoolean`, with no default), else throws `BAD_CONFIG`. */
export function assertBoolean(value: unknown, argument: string): asserts value is boolean {
  checkBoolean(value, argument);
}

export function assertOneOf<T extends string>(
  value: unknown,
  allowed: readonly T[],
  argument: string,
): asserts value is T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw badArgument('BAD_CONFIG', argument, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`, value);
  }
}

/** Throws unless `shape` is a non-empty array of positive integers. */
export function assertShape(shape: unknown, argument: string): asserts shape is readonly number[] {
  if (
    !Array.isArray(shape) ||
    shape.length === 0 ||
    !shape.every((d) => typeof d === 'number' && Number.isInteger(d) && d > 0)
  ) {
    throw badArgument('BAD_CONFIG', argument, 'a non-empty array of positive integers', shape);
  }
}
