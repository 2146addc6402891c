import { defineProject, mergeConfig } from 'vitest/config';
import { shared } from '../../vitest.shared.js';

// The plain WebAssembly SIMD build of the kernels, on any Node; vitest.relaxed.config.ts
// runs the parity suites on the relaxed-SIMD build.
export default mergeConfig(
  shared,
  defineProject({
    test: { name: 'backend-wasm', include: ['test/**/*.test.ts'], env: { RECUR_WASM_KERNEL_BUILD: 'simd' } },
  }),
);
