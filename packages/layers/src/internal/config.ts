import { badArgument } from '@recur/core';
import { checkKnownKeys } from './checks.js';

/** Rejects a config that is not a plain object or has a field the factory does not know. */
export function checkConfig(config: unknown, known: readonly string[], argument: string): void {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw badArgument('BAD_CONFIG', argument, `an object with fields ${known.join(', ')}`, config);
  }
  checkKnownKeys(config, known, argument);
}

export function positiveInteger(value: unknown, argument: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw badArgument('BAD_CONFIG', argument, 'a positive integer', value);
  }
  return value;
}
