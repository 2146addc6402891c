import { badArgument } from '../errors.js';

/**
 * Keras' snake_case names in camelCase, as tfjs-layers spells them
 * (`'glorot_uniform'` → `'glorotUniform'`, `'hard_sigmoid'` → `'hardSigmoid'`); names
 * already in camelCase come back unchanged. Used wherever a config is read from Keras.
 */
export function snakeToCamel(name: string): string {
  if (typeof name !== 'string') throw badArgument('BAD_CONFIG', 'name', 'a string', name);
  return name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}
