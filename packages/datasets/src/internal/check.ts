import { badArgument, RecurError } from '@recur/core';

/** `options` must be omitted or a plain object; returns it as a record to read fields from. */
export function optionsRecord<T extends object>(options: T | undefined, argument: string): Partial<T> {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw badArgument('BAD_CONFIG', argument, 'an options object', options);
  }
  return options;
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

export function isInt32(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= INT32_MIN && value <= INT32_MAX;
}

/** Throws at the first element of `values` that is not an int32, naming its index. */
export function assertInt32Sequence(values: unknown, argument: string): asserts values is ArrayLike<number> {
  if (!isArrayLike(values)) throw badArgument('BAD_DATA', argument, 'an array of integers', values);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!isInt32(v)) throw badArgument('BAD_DATA', `${argument}[${i}]`, 'a 32-bit integer', v);
  }
}

export function isArrayLike(value: unknown): value is ArrayLike<unknown> {
  return Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView));
}

/** A `BAD_DATA` error pinned to a place in a file or data package: `where: message`. */
export function dataError(where: string, message: string, cause?: unknown): RecurError {
  return new RecurError('BAD_DATA', `${where}: ${message}`, cause === undefined ? undefined : { cause });
}
