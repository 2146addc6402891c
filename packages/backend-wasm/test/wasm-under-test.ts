import { type SequenceKernelsBuild, wasm, wasmWith } from '@recur/backend-wasm';
import { badArgument, useBackend } from '@recur/core';
import { expect } from 'vitest';

const BUILDS: readonly SequenceKernelsBuild[] = ['simd', 'relaxed-simd'];

function requestedBuild(): SequenceKernelsBuild | undefined {
  const value = process.env.RECUR_WASM_KERNEL_BUILD;
  if (value === undefined) return undefined;
  if (!(BUILDS as readonly string[]).includes(value)) {
    throw badArgument('BAD_CONFIG', 'RECUR_WASM_KERNEL_BUILD', `one of ${BUILDS.join(', ')}`, value);
  }
  return value as SequenceKernelsBuild;
}

/**
 * The build of the kernels this test project holds to the parity harness, as its vitest
 * config names it in `RECUR_WASM_KERNEL_BUILD`: 'simd' in `backend-wasm`,
 * 'relaxed-simd' in `backend-wasm-relaxed`. Undefined when a file runs outside them.
 */
export const BUILD_UNDER_TEST = requestedBuild();

/**
 * The plug-in that runs that build. Forcing the plain build here, rather than leaving the
 * choice to the engine, keeps it under test on Node 21+, which validates relaxed SIMD and
 * would otherwise never run it.
 */
export const wasmUnderTest =
  BUILD_UNDER_TEST === undefined ? wasm : wasmWith({ relaxedSimd: BUILD_UNDER_TEST === 'relaxed-simd' });

/** Activates `wasmUnderTest` and asserts it runs the build named, so no suite passes on the other one. */
export async function useWasmUnderTest(): Promise<void> {
  await useBackend(wasmUnderTest);
  if (BUILD_UNDER_TEST !== undefined) expect(wasmUnderTest.capabilities().details.kernelBuild).toBe(BUILD_UNDER_TEST);
}
