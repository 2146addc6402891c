import { fileURLToPath } from 'node:url';
import { defineProject, mergeConfig } from 'vitest/config';
import { shared } from '../../vitest.shared.js';
import { CHROMIUM_BROWSER, TFJS_WASM_PATHS } from './browser-project.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The backend suite in headless Chromium (vitest browser mode, playwright provider) on
 * cpu, wasm, webgl and webgpu. A representative subset of the packages' backend-matrix
 * tests runs here, chosen to keep CI time near a minute and a half (every read from a
 * software GPU is slow); the full suites run in Node on cpu and wasm.
 */
export const BROWSER_SUITE = [
  // The plug-ins themselves, then parity with cpu: scan and its gradients for each cell,
  // five Adam steps of a character model through fit, greedy decoding.
  'packages/test-browser/test/**/*.test.ts',
  'packages/backend-webgpu/test/cpu-parity.test.ts',
  // The fused WGSL kernels (LSTM, GRU, linear scan) against core's reference on webgpu.
  'packages/backend-webgpu/test/fused-kernels.test.ts',
  // core: scan against stepping the cell (masks, reverse, state), kernel dispatch
  // (registered vs reference kernels, their gradients) and initializers.
  'packages/core/test/scan.test.ts',
  'packages/core/test/kernels-dispatch.test.ts',
  'packages/core/test/initializers.test.ts',
  // cells: one step by hand, gradients against finite differences.
  'packages/cells/test/elman.test.ts',
  'packages/cells/test/gru.test.ts',
  // layers: masks through embedding → LSTM → GRU against tfjs-layers, and the README model.
  'packages/layers/test/masking.test.ts',
  'packages/layers/test/readme-example.test.ts',
];

export default mergeConfig(
  shared,
  defineProject({
    test: {
      name: 'test-browser',
      dir: root,
      include: BROWSER_SUITE,
      provide: {
        recurBackends: process.env.RECUR_BROWSER_BACKENDS ?? 'cpu,wasm,webgl,webgpu',
        recurWasmPaths: TFJS_WASM_PATHS,
      },
      browser: CHROMIUM_BROWSER,
    },
  }),
);
