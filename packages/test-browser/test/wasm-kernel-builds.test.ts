import { WASM_KERNELS, wasmWith } from '@recur/backend-wasm';
import { KERNEL_DESCRIPTORS, useBackend } from '@recur/core';
import { checkLeaks, expectFusedMatchesReference } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, inject, it } from 'vitest';

const wasmPaths = inject('recurWasmPaths');

/**
 * Chromium has validated relaxed SIMD since 114, so here the wasm plug-in runs the kernels'
 * relaxed build (fused multiply-add) unless told not to: both builds against the reference,
 * every kernel, two cases each (the full random suites run in Node, on both builds).
 */
describe.each([
  ['relaxed-simd', true],
  ['simd', false],
] as const)('wasm kernels, %s build, in Chromium', (build, relaxedSimd) => {
  checkLeaks();
  const plugin = wasmWith({ relaxedSimd, ...(wasmPaths === undefined ? {} : { wasmPaths }) });

  beforeAll(async () => {
    await useBackend(plugin);
  });

  it('should run the build asked for', () => {
    expect(tf.getBackend()).toBe('wasm');
    expect(plugin.capabilities().details.relaxedSimdSupported).toBe(true);
    expect(plugin.capabilities().details.kernelBuild).toBe(build);
  });

  it('should match the reference forward within 1e-5 and gradients within 1e-4 on every kernel', () => {
    for (const descriptor of KERNEL_DESCRIPTORS) {
      for (const seed of [1, 2]) expectFusedMatchesReference({ descriptor, seed }, WASM_KERNELS, 'wasm');
    }
  });
});
