/**
 * Carried gradients under 2⁻¹⁰⁰ in magnitude are flushed to zero, as the wasm kernels do
 * (asm/common.ts' `flush`): a recurrence's adjoint decays geometrically through saturated
 * gates, and the subnormal products it leads to run up to 75 times slower on x86, which has
 * no flush-to-zero mode in JS or WebAssembly. Flushing here too keeps both backends' numbers
 * equal; such a gradient cannot change a float32 sum that any gradient above 2⁻⁷⁶ joins.
 */
export const FLUSH_BELOW = 2 ** -100;

/** 0 where |x| < 2⁻¹⁰⁰; NaN and ±∞ pass. */
export const flush = (x: number): number => (Math.abs(x) < FLUSH_BELOW ? 0 : x);
