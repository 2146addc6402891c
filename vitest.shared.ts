import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const pkg = (name: string) => fileURLToPath(new URL(`./packages/${name}/src/index.ts`, import.meta.url));

/**
 * Tests import every @recur package from its TypeScript source, so one copy of each
 * module exists per test file (no dist/src mix) and tests never run stale builds.
 * Only generated files (the gradient bundle, compiled WASM) come from the build step.
 */
export const shared = defineConfig({
  resolve: {
    alias: [
      { find: /^@recur\/core$/, replacement: pkg('core') },
      {
        find: /^@recur\/core\/kernel-api$/,
        replacement: fileURLToPath(new URL('./packages/core/src/kernel-api.ts', import.meta.url)),
      },
      { find: /^@recur\/backend-cpu$/, replacement: pkg('backend-cpu') },
      { find: /^@recur\/backend-wasm$/, replacement: pkg('backend-wasm') },
      { find: /^@recur\/backend-webgpu$/, replacement: pkg('backend-webgpu') },
      { find: /^@recur\/backend-webgl$/, replacement: pkg('backend-webgl') },
      { find: /^@recur\/test-utils$/, replacement: pkg('test-utils') },
      { find: /^@recur\/cells$/, replacement: pkg('cells') },
      { find: /^@recur\/layers$/, replacement: pkg('layers') },
      { find: /^@recur\/datasets$/, replacement: pkg('datasets') },
      { find: /^@recur\/decode$/, replacement: pkg('decode') },
      {
        find: /^@recur\/train\/node$/,
        replacement: fileURLToPath(new URL('./packages/train/src/node.ts', import.meta.url)),
      },
      { find: /^@recur\/train$/, replacement: pkg('train') },
    ],
  },
  test: {
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
