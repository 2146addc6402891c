import { badArgument, checkBoolean, checkKnownKeys, isRng } from '@recur/core';

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

/** The `training` and `rng` apply options; `rng` is required only when some randomness will be drawn. */
export function checkTraining(options: { training?: unknown; rng?: unknown }, needsRng: boolean): boolean {
  const training = checkBoolean(options.training, 'options.training', false);
  if (training && needsRng && !isRng(options.rng)) {
    throw badArgument('BAD_CONFIG', 'options.rng', 'an Rng (training with a non-zero dropout rate)', options.rng);
  }
  return training;
}
