/**
 * Relaxed SIMD in Node, as checked by hand: V8 shipped it in 11.4 (Chrome 114). Node 20
 * is V8 11.3 and validates it only with this flag; Node 21 (V8 11.8) and 22 (V8 12.4)
 * validate it without one and refuse the flag as a bad option.
 */
export const RELAXED_SIMD_FLAG = '--experimental-wasm-relaxed-simd';

/** Whether this Node's V8 validates relaxed SIMD without a flag. */
export function v8ShipsRelaxedSimd(): boolean {
  const [major = 0, minor = 0] = process.versions.v8.split('.').map(Number);
  return major > 11 || (major === 11 && minor >= 4);
}
