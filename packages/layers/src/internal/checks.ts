import {
  ACTIVATION_NAMES,
  badArgument,
  describeValue,
  getActivation,
  getInitializer,
  INITIALIZER_NAMES,
  RecurError,
  type Rng,
} from '@recur/core';
import type * as tf from '@tensorflow/tfjs-core';

// Duck-typed rather than `instanceof tf.Tensor`, so a tensor from a second copy of
// tfjs-core (two bundles in one page) is still recognised.
export function isTensor(value: unknown): value is tf.Tensor {
  return (
    value !== null &&
    typeof value === 'object' &&
    Array.isArray((value as tf.Tensor).shape) &&
    typeof (value as tf.Tensor).dtype === 'string'
  );
}

export function received(value: unknown): string {
  return isTensor(value) ? `a ${value.dtype} tensor of shape [${value.shape.join(', ')}]` : describeValue(value);
}

export function shapeText(shape: readonly (number | string)[]): string {
  return `[${shape.join(', ')}]`;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function mismatch(argument: string, expected: string, value: unknown): RecurError {
  return new RecurError('SHAPE_MISMATCH', `${argument}: expected ${expected}, received ${received(value)}`);
}

/** The shape of `input` when it is a tensor, else throws naming `argument`. */
export function tensorShape(input: unknown, argument: string, expected: string): readonly number[] {
  if (!isTensor(input)) throw mismatch(argument, expected, input);
  return input.shape;
}

/** A shape error for a known shape (no tensor at hand, as in `outputShape`). */
export function shapeMismatch(argument: string, expected: string, shape: readonly number[]): RecurError {
  return new RecurError('SHAPE_MISMATCH', `${argument}: expected ${expected}, received shape ${shapeText(shape)}`);
}

/** Checks `mask` is a `[batch, time]` tensor matching the input's leading axes. */
export function checkMask(mask: unknown, batch: number, time: number, argument = 'options.mask'): void {
  if (mask === undefined) return;
  if (!isTensor(mask) || !sameShape(mask.shape, [batch, time])) {
    throw mismatch(argument, `a tensor of shape [${batch}, ${time}] (input batch and time)`, mask);
  }
}

/** Rejects option names the function does not know (a misspelt option would otherwise be ignored). */
export function checkKnownKeys(options: unknown, known: readonly string[], argument: string): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw badArgument('BAD_CONFIG', argument, 'an options object', options);
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw badArgument('BAD_CONFIG', `${argument}.${key}`, `one of the known options ${known.join(', ')}`, key);
    }
  }
}

/** A probability in [0, 1): dropout and zoneout rates. */
export function checkRate(value: unknown, argument: string): number {
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value >= 1) {
    throw badArgument('BAD_CONFIG', argument, 'a number in [0, 1)', value);
  }
  return value;
}

export function checkBoolean(value: unknown, argument: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw badArgument('BAD_CONFIG', argument, 'a boolean', value);
  return value;
}

/** The `training` and `rng` apply options; `rng` is required only when some randomness will be drawn. */
export function checkTraining(options: { training?: unknown; rng?: unknown }, needsRng: boolean): boolean {
  const training = checkBoolean(options.training, 'options.training', false);
  if (training && needsRng && !isRng(options.rng)) {
    throw badArgument('BAD_CONFIG', 'options.rng', 'an Rng (training with a non-zero dropout rate)', options.rng);
  }
  return training;
}

export function checkBatchSize(batch: unknown, argument = 'batch'): number {
  if (typeof batch !== 'number' || !Number.isInteger(batch) || batch <= 0) {
    throw badArgument('BAD_CONFIG', argument, 'a positive integer', batch);
  }
  return batch;
}

// Duck-typed for the same reason as `isTensor`.
export function isRng(value: unknown): value is Rng {
  return value !== null && typeof value === 'object' && typeof (value as Rng).nextUint32 === 'function';
}

export function checkRng(rng: unknown, argument: string): Rng {
  if (!isRng(rng)) throw badArgument('BAD_CONFIG', argument, 'an Rng from @recur/core (new Rng(seed))', rng);
  return rng;
}

const APPLY_OPTIONS = ['training', 'rng', 'mask', 'initialState'] as const;

/** Checks the shared `apply` options object; stateless layers refuse an `initialState`. */
export function checkApplyOptions(kind: string, options: unknown, stateful: boolean): void {
  checkKnownKeys(options, APPLY_OPTIONS, 'options');
  if (!stateful && (options as { initialState?: unknown } | undefined)?.initialState !== undefined) {
    throw badArgument(
      'BAD_CONFIG',
      'options.initialState',
      `undefined (a ${kind} layer has no state)`,
      (options as { initialState?: unknown }).initialState,
    );
  }
}

/** Checks an activation name now, so a typo fails at construction rather than in `apply`. */
export function checkActivation(value: unknown, argument: string, fallback: string): string {
  const name = value ?? fallback;
  if (typeof name !== 'string') throw badArgument('BAD_CONFIG', argument, 'an activation name', name);
  try {
    getActivation(name);
  } catch {
    throw badArgument('BAD_CONFIG', argument, `one of ${ACTIVATION_NAMES.join(', ')}`, name);
  }
  return name;
}

/** Checks an initializer name now (Keras' snake_case accepted). */
export function checkInitializer(value: unknown, argument: string, fallback: string): string {
  const name = value ?? fallback;
  if (typeof name !== 'string') throw badArgument('BAD_CONFIG', argument, 'an initializer name', name);
  try {
    getInitializer(name);
  } catch {
    throw badArgument('BAD_CONFIG', argument, `one of ${INITIALIZER_NAMES.join(', ')}`, name);
  }
  return name;
}

/** Follows `path` from `root`; `undefined` where a step is missing. */
export function atPath(root: unknown, path: readonly (string | number)[]): unknown {
  let node = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[key];
  }
  return node;
}

/** Checks every weight in `specs` exists in `params` with its exact shape. */
export function checkParams(
  params: unknown,
  specs: readonly { readonly path: readonly (string | number)[]; readonly shape: readonly number[] }[],
  argument = 'params',
): void {
  for (const { path, shape } of specs) {
    const value = atPath(params, path);
    if (!isTensor(value) || !sameShape(value.shape, shape)) {
      throw mismatch(`${argument}.${path.join('.')}`, `a tensor of shape ${shapeText(shape)}`, value);
    }
  }
}
