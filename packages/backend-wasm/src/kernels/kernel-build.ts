/**
 * Which build of Recur's WebAssembly kernels runs. Both come from one source (asm/fma.ts):
 * WebAssembly SIMD, and relaxed SIMD, whose products use `f32x4.relaxed_madd` (one fused
 * multiply-add where the CPU has FMA, so its results may differ from the plain build's
 * by rounding). The relaxed binaries sit in a file of their own, imported dynamically, so
 * a bundled app fetches them only on an engine that runs them.
 */
import { SEQUENCE_KERNELS_WASM, SEQUENCE_KERNELS_WASM_SHARED } from '../generated/sequence-kernels-wasm.js';

/** `'simd'`: WebAssembly SIMD; `'relaxed-simd'`: the same kernels with relaxed SIMD's fused multiply-add. */
export type SequenceKernelsBuild = 'simd' | 'relaxed-simd';

interface Binaries {
  readonly plain: string;
  readonly shared: string;
}

const PLAIN: Binaries = { plain: SEQUENCE_KERNELS_WASM, shared: SEQUENCE_KERNELS_WASM_SHARED };
let relaxed: Binaries | undefined;
let relaxedAllowed = true;
let relaxedValidates: boolean | undefined;

/**
 * The smallest module using `f32x4.relaxed_madd`: one function (v128, v128, v128) → v128
 * returning `relaxed_madd(p0, p1, p2)` (opcode 0xfd 0x105), as the relaxed-SIMD proposal
 * encodes it. An engine that validates it validates the relaxed kernels, which use no
 * other new instruction (build-wasm.mjs holds them to their plain twins otherwise).
 */
const RELAXED_PROBE = new Uint8Array([
  ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
  ...[0x01, 0x08, 0x01, 0x60, 0x03, 0x7b, 0x7b, 0x7b, 0x01, 0x7b],
  ...[0x03, 0x02, 0x01, 0x00],
  ...[0x0a, 0x0d, 0x01, 0x0b, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0xfd, 0x85, 0x02, 0x0b],
]);

/**
 * Whether this engine validates relaxed SIMD. Checked by hand: Node 20 (V8 11.3) only
 * with `--experimental-wasm-relaxed-simd`; Node 21 (V8 11.8) and 22 (V8 12.4) without a
 * flag; Chromium from 114 (156 in the browser tests). Other engines were not checked:
 * where the probe does not validate, the plain build runs.
 */
export function relaxedSimdSupported(): boolean {
  relaxedValidates ??= typeof WebAssembly === 'object' && WebAssembly.validate(RELAXED_PROBE);
  return relaxedValidates;
}

/**
 * Allows or forbids the relaxed build (`wasmWith({ relaxedSimd })`) and, where it is
 * allowed and the engine validates it, loads its binaries: called by the plug-in's setup,
 * before any kernel runs.
 */
export async function chooseKernelBuild(allowRelaxed: boolean): Promise<void> {
  relaxedAllowed = allowRelaxed;
  if (allowRelaxed && relaxed === undefined && relaxedSimdSupported()) {
    const generated = await import('../generated/sequence-kernels-wasm-relaxed.js');
    relaxed = {
      plain: generated.SEQUENCE_KERNELS_WASM_RELAXED,
      shared: generated.SEQUENCE_KERNELS_WASM_RELAXED_SHARED,
    };
  }
}

/** The build that kernels bound from now on run: relaxed SIMD where allowed, validated and loaded, else plain. */
export function sequenceKernelsBuild(): SequenceKernelsBuild {
  return relaxedAllowed && relaxed !== undefined ? 'relaxed-simd' : 'simd';
}

/** The chosen build's module, base64, for an ordinary or a shared memory. */
export function kernelBinary(shared: boolean): string {
  const binaries = sequenceKernelsBuild() === 'relaxed-simd' ? (relaxed as Binaries) : PLAIN;
  return shared ? binaries.shared : binaries.plain;
}
