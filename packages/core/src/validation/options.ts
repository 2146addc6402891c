import { badArgument } from '../errors.js';

function rejectUnknownKeys(record: object, known: readonly string[], argument: string, noun: string): void {
  for (const key of Object.keys(record)) {
    if (!known.includes(key)) {
      throw badArgument('BAD_CONFIG', `${argument}.${key}`, `one of the known ${noun} ${known.join(', ')}`, key);
    }
  }
}

/**
 * Rejects an options object with a key not in `known`: a misspelt option
 * (`returnSequence`) must fail loudly rather than fall back to the default. `undefined`
 * (no options) passes; anything else that is not a plain object fails.
 */
export function checkKnownKeys(options: unknown, known: readonly string[], argument: string): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw badArgument('BAD_CONFIG', argument, 'an options object', options);
  }
  rejectUnknownKeys(options, known, argument, 'options');
}

/**
 * A config is required (not `undefined`), a plain object, and names only the fields in
 * `known`: a typo such as `unitForgetbias` must not silently leave the default on.
 */
export function checkConfig(config: unknown, known: readonly string[], argument: string): void {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw badArgument('BAD_CONFIG', argument, `an object with fields ${known.join(', ')}`, config);
  }
  rejectUnknownKeys(config, known, argument, 'fields');
}
