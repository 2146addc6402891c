import { readFileSync } from 'node:fs';
import { wasm, wasmWith } from '@recur/backend-wasm';
import { RecurError, useBackend } from '@recur/core';
import { checkLeaks } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEQUENCE_KERNELS_WASM_RELAXED } from '../src/generated/sequence-kernels-wasm-relaxed.js';
import { relaxedSimdSupported } from '../src/kernels/kernel-build.js';
import { kernelsFor } from '../src/kernels/module.js';
import { RELAXED_SIMD_FLAG, v8ShipsRelaxedSimd } from './relaxed-simd-node.js';
import { BUILD_UNDER_TEST, wasmUnderTest } from './wasm-under-test.js';

/** Whether V8 can fuse here: x64 with FMA3 (`vfmadd231ps`); elsewhere unknown to this test. */
function cpuFuses(): boolean | undefined {
  if (process.arch !== 'x64') return undefined;
  try {
    return /^flags\s*:.*\bfma\b/m.test(readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    return undefined;
  }
}

/** x = 1 + 2⁻¹²: exact in float32, its square is not. */
const X = 1 + 2 ** -12;

/**
 * Σ_p a_p·b_p over a = [1, x], b = [−1, x] through the module's gemm, x = 1 + 2⁻¹²: x² is
 * 1 + 2⁻¹¹ + 2⁻²⁴, which float32 rounds to 1 + 2⁻¹¹. Multiply then add gives 2⁻¹¹; a
 * fused multiply-add keeps the 2⁻²⁴ that the separate product rounded away.
 */
function fusedProbe(): number {
  const backend = tf.backend() as unknown as {
    wasm: { _malloc(n: number): number; _free(p: number): void; HEAPF32: Float32Array };
  };
  const kernels = kernelsFor(tf.backend());
  // Five floats (a, b, c), then gemm's work space for n = 1: gemmWorkBytes(1) bytes.
  const raw = backend.wasm._malloc(32 + 64 * 1024 + 128 + 1024 * 8 + 16);
  const base = raw + ((16 - (raw % 16)) % 16);
  try {
    backend.wasm.HEAPF32.set([1, X, -1, X, 0], base / 4);
    kernels.gemm(false, false, 1, 1, 2, base, 2, base + 8, 1, base + 16, 1, false, base + 32);
    return backend.wasm.HEAPF32[(base + 16) / 4] as number;
  } finally {
    backend.wasm._free(raw);
  }
}

describe('wasm kernel builds', () => {
  checkLeaks();

  beforeAll(async () => {
    await useBackend(wasmUnderTest);
  });

  afterAll(async () => {
    await useBackend(wasmUnderTest);
  });

  it('should find relaxed SIMD exactly where this Node validates it (V8 11.4+, or Node 20 with its flag)', () => {
    // The relaxed project's setup sets the flag at run time, where a user would pass it.
    const flagged = process.execArgv.includes(RELAXED_SIMD_FLAG) || BUILD_UNDER_TEST === 'relaxed-simd';
    expect(relaxedSimdSupported()).toBe(v8ShipsRelaxedSimd() || flagged);
  });

  it('should validate the relaxed kernels exactly where it validates the probe', () => {
    const relaxedKernels = Uint8Array.from(atob(SEQUENCE_KERNELS_WASM_RELAXED), (c) => c.charCodeAt(0));
    expect(WebAssembly.validate(relaxedKernels)).toBe(relaxedSimdSupported());
  });

  it('should run the build this test project holds to the parity harness', async () => {
    await useBackend(wasmUnderTest);
    const expected = BUILD_UNDER_TEST ?? (relaxedSimdSupported() ? 'relaxed-simd' : 'simd');
    expect(wasmUnderTest.capabilities().details.kernelBuild).toBe(expected);
  });

  it('should pick the relaxed build by default where the engine validates it', async () => {
    await useBackend(wasm);
    const caps = wasm.capabilities();
    expect(caps.details.relaxedSimdSupported).toBe(relaxedSimdSupported());
    expect(caps.details.kernelBuild).toBe(relaxedSimdSupported() ? 'relaxed-simd' : 'simd');
  });

  it('should keep the plain build, unfused to the last bit, with relaxedSimd: false', async () => {
    const plain = wasmWith({ relaxedSimd: false });
    await useBackend(plain);
    expect(plain.capabilities().details.kernelBuild).toBe('simd');
    expect(fusedProbe()).toBe(2 ** -11);
  });

  it('should fuse the products with relaxedSimd: true where the engine validates it and the CPU has FMA', async () => {
    // Switching back after the plain plug-in also proves the kernels rebind to the build.
    await useBackend(wasmWith({ relaxedSimd: false }));
    const relaxed = wasmWith({ relaxedSimd: true });
    await useBackend(relaxed);
    expect(relaxed.capabilities().details.kernelBuild).toBe(relaxedSimdSupported() ? 'relaxed-simd' : 'simd');
    const fused = relaxedSimdSupported() ? cpuFuses() : false;
    const sum = fusedProbe();
    if (fused === undefined) expect([2 ** -11, 2 ** -11 + 2 ** -24]).toContain(sum);
    else expect(sum).toBe(fused ? 2 ** -11 + 2 ** -24 : 2 ** -11);
  });

  it('should refuse a relaxedSimd option that is not a boolean, naming it', () => {
    const make = () => wasmWith({ relaxedSimd: 'yes' as unknown as boolean });
    expect(make).toThrow(RecurError);
    expect(make).toThrow("wasmWith(options).relaxedSimd: expected a boolean, received 'yes'");
  });
});
