import { badArgument } from './errors.js';

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

export function assertPositiveInteger(value: unknown, argument: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw badArgument('BAD_CONFIG', argument, 'a positive integer', value);
  }
}

export function assertFiniteNumber(value: unknown, argument: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw badArgument('BAD_CONFIG', argument, 'a finite number', value);
  }
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
