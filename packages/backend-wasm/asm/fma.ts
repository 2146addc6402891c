/**
 * The multiply-add of the products' inner loops, c + a·b on f32x4 lanes, written once for
 * both builds (scripts/build-wasm.mjs): `ASC_FEATURE_RELAXED_SIMD` is a compile-time
 * constant, so each build keeps one branch and the other is never compiled.
 *
 * - WebAssembly SIMD: `f32x4.add(c, f32x4.mul(a, b))`, two roundings, exactly as the
 *   kernels always computed (the operand order is kept, so the plain build is unchanged).
 * - Relaxed SIMD: `f32x4.relaxed_madd`, which the engine may fuse into one instruction
 *   with one rounding (V8 emits `vfmadd231ps` on x64 CPUs with FMA3, `fmla` on arm64) or
 *   evaluate as the two operations; either result is within the usual tolerances of the
 *   reference, never bit-identical to it by contract.
 */
// biome-ignore lint/complexity/noStaticOnlyClass: AssemblyScript only inlines decorated functions and methods.
export class Fma {
  @inline static madd(a: v128, b: v128, c: v128): v128 {
    if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
    return f32x4.add(c, f32x4.mul(a, b));
  }
}
