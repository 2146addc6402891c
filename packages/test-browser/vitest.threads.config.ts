import { fileURLToPath } from 'node:url';
import { defineProject, mergeConfig } from 'vitest/config';
import { shared } from '../../vitest.shared.js';
import { CHROMIUM_BROWSER, TFJS_WASM_PATHS } from './browser-project.js';

/**
 * Threads of the fused kernels in headless Chromium. The page is served cross-origin
 * isolated, as an app that wants threads must serve itself: without these two headers a
 * browser gives no `SharedArrayBuffer`, and the kernels run on one thread. (The other
 * browser project serves no such headers, and checks that case.)
 */
export const CROSS_ORIGIN_ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default mergeConfig(
  shared,
  defineProject({
    server: { headers: CROSS_ORIGIN_ISOLATION },
    test: {
      name: 'test-browser-threads',
      dir: fileURLToPath(new URL('../..', import.meta.url)),
      include: ['packages/test-browser/threads/**/*.test.ts'],
      provide: { recurWasmPaths: TFJS_WASM_PATHS },
      browser: CHROMIUM_BROWSER,
    },
  }),
);
