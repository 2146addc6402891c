import { badArgument } from '../errors.js';

/**
 * The largest weight tensor a layer makes: 2^28 float32 values, 1 GiB. Past it an
 * allocation fails deep inside tfjs (`Invalid typed array length`, or an out-of-memory
 * abort) after the rest of the model was built; checked when the layer is configured,
 * it is a clear error that says what the size would cost.
 */
export const MAX_WEIGHT_VALUES = 2 ** 28;

/** Throws `BAD_CONFIG` unless a weight of `shape` stays within {@link MAX_WEIGHT_VALUES}. */
export function checkWeightSize(shape: readonly number[], argument: string, dims: string): void {
  const values = shape.reduce((a, b) => a * b, 1);
  if (values <= MAX_WEIGHT_VALUES) return;
  const gib = (values * 4) / 2 ** 30;
  throw badArgument(
    'BAD_CONFIG',
    argument,
    `${dims} of at most ${MAX_WEIGHT_VALUES.toLocaleString('en-US')} weights (1 GiB of float32)`,
    `[${shape.join(' × ')}] = ${values.toLocaleString('en-US')} weights (${gib.toFixed(1)} GiB)`,
  );
}
