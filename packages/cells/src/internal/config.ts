import {
  ACTIVATION_NAMES,
  type ActivationName,
  badArgument,
  getActivation,
  INITIALIZER_NAMES,
  type InitializerName,
  type Rng,
} from '@recur/core';

/**
 * A config with every default filled in (what `cell.config` holds). Fields listed in
 * `Optional` have no default and stay optional (LSTM `projSize`).
 */
export type Resolved<T, Optional extends keyof T = never> = Readonly<Required<Omit<T, Optional>> & Pick<T, Optional>>;

/**
 * Rejects a config that is not a plain object or names a field the cell does not know:
 * a typo such as `unitForgetbias` must not fall back to the default silently.
 */
export function checkFields(kind: string, config: unknown, known: readonly string[]): void {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw badArgument('BAD_CONFIG', `${kind} config`, `an object with fields ${known.join(', ')}`, config);
  }
  for (const field of Object.keys(config)) {
    if (!known.includes(field)) {
      throw badArgument('BAD_CONFIG', `${kind} config.${field}`, `no such field (known: ${known.join(', ')})`, field);
    }
  }
}

export function positiveInteger(kind: string, field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw badArgument('BAD_CONFIG', `${kind} config.${field}`, 'a positive integer', value);
  }
  return value;
}

export function positiveNumber(kind: string, field: string, value: unknown, fallback: number): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
    throw badArgument('BAD_CONFIG', `${kind} config.${field}`, 'a positive finite number', v);
  }
  return v;
}

export function boolean(kind: string, field: string, value: unknown, fallback: boolean): boolean {
  const v = value ?? fallback;
  if (typeof v !== 'boolean') throw badArgument('BAD_CONFIG', `${kind} config.${field}`, 'true or false', v);
  return v;
}

/**
 * The canonical (camelCase) name of an activation, accepting every spelling core's
 * `getActivation` accepts (snake_case, aliases). Kernels compare names as strings, so
 * `'hard_sigmoid'` and `'hardSigmoid'` must resolve to the same one.
 */
export function activation(kind: string, field: string, value: unknown, fallback: ActivationName): ActivationName {
  const v = value ?? fallback;
  let fn: unknown;
  try {
    fn = typeof v === 'string' ? getActivation(v) : undefined;
  } catch {
    fn = undefined;
  }
  const name = ACTIVATION_NAMES.find((n) => getActivation(n) === fn);
  if (name === undefined) {
    throw badArgument('BAD_CONFIG', `${kind} config.${field}`, `one of ${ACTIVATION_NAMES.join(', ')}`, v);
  }
  return name;
}

/** The canonical name of one of core's initializers (Keras' snake_case accepted), used with its default options. */
export function initializer(kind: string, field: string, value: unknown, fallback: InitializerName): InitializerName {
  const v = value ?? fallback;
  const camel = typeof v === 'string' ? v.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()) : '';
  if (!(INITIALIZER_NAMES as readonly string[]).includes(camel)) {
    throw badArgument('BAD_CONFIG', `${kind} config.${field}`, `one of ${INITIALIZER_NAMES.join(', ')}`, v);
  }
  return camel as InitializerName;
}

/** `init(rng)` draws every weight from `rng`; anything else would make seeds meaningless. */
export function checkRng(kind: string, rng: unknown): asserts rng is Rng {
  if (rng === null || typeof rng !== 'object' || typeof (rng as Rng).nextUint32 !== 'function') {
    throw badArgument('BAD_CONFIG', `${kind} init rng`, 'an Rng from @recur/core (new Rng(seed))', rng);
  }
}
