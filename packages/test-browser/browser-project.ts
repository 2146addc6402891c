/** What the browser projects (vitest.config.ts, vitest.threads.config.ts) share. */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type {} from '@vitest/browser/providers/playwright';
import type { BrowserConfigOptions } from 'vitest/node';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium.js';

/** Vitest's browser mode in headless Chromium (the playwright provider drives it). */
export const CHROMIUM_BROWSER: BrowserConfigOptions = {
  enabled: true,
  provider: 'playwright',
  headless: true,
  screenshotFailures: false,
  instances: [{ browser: 'chromium', launch: { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS } }],
};

const require = createRequire(import.meta.url);
/**
 * Where the browser fetches tfjs-backend-wasm's `.wasm` files (its `wasmPaths`): the test
 * server serves them from the installed package (vite's /@fs/ route).
 */
export const TFJS_WASM_PATHS = `/@fs${join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist/')}`;
