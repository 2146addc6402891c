import { defineProject, mergeConfig } from 'vitest/config';
import { shared } from '../../vitest.shared.js';

/**
 * The kernel parity suites again, on the relaxed-SIMD build of the kernels (fused
 * multiply-add in the products): `backend-wasm` holds the plain build to the reference,
 * this project the relaxed one, on any Node (on Node 20 the setup file turns on V8's
 * relaxed-SIMD flag). kernel-build.test.ts asserts that the build running is the one
 * named here.
 */
export default mergeConfig(
  shared,
  defineProject({
    test: {
      name: 'backend-wasm-relaxed',
      include: ['test/sequence-kernels.test.ts', 'test/ctc-loss.test.ts', 'test/kernel-build.test.ts'],
      setupFiles: ['test/relaxed-simd-flag.setup.ts'],
      env: { RECUR_WASM_KERNEL_BUILD: 'relaxed-simd' },
    },
  }),
);
