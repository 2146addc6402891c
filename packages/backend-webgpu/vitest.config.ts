import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineProject, mergeConfig } from 'vitest/config';
import { shared } from '../../vitest.shared.js';

// These tests are about WebGPU, so they point Dawn at Chromium's SwiftShader (a software
// Vulkan GPU) when no Vulkan driver is configured.
const swiftshader = '/usr/lib/chromium/vk_swiftshader_icd.json';
const icd = process.env.VK_ICD_FILENAMES ?? (existsSync(swiftshader) ? swiftshader : undefined);
// Dawn's Vulkan loader complains once per process, on stderr, when there is no runtime
// directory (CI has no login session); a private one keeps the test output readable.
const runtimeDir = process.env.XDG_RUNTIME_DIR ?? join(tmpdir(), 'recur-xdg-runtime');
mkdirSync(runtimeDir, { recursive: true, mode: 0o700 });

/**
 * WebGPU in Node (Dawn): the plug-in's own tests, then a representative subset of the
 * packages' backend-matrix tests on webgpu. Every dispatch and read on a software GPU is
 * slow, so the subset keeps this project near a minute and a half; the browser project
 * (packages/test-browser) covers webgpu and webgl in Chromium.
 */
export const NODE_WEBGPU_SUITE = [
  'packages/backend-webgpu/test/**/*.test.ts',
  // core: scan against stepping the cell, kernel dispatch, the linear scans' reference
  // against float64 loops (−∞ in log space included), initializers.
  'packages/core/test/scan.test.ts',
  'packages/core/test/kernels-dispatch.test.ts',
  'packages/core/test/kernels-linear-scan.test.ts',
  'packages/core/test/initializers.test.ts',
  // cells: an LSTM step by hand and gradients against finite differences.
  'packages/cells/test/lstm.test.ts',
  // layers: masks against tfjs-layers (tfjs 4.22's int32/bool transpose bug on webgpu).
  'packages/layers/test/masking.test.ts',
];

export default mergeConfig(
  shared,
  defineProject({
    test: {
      name: 'backend-webgpu',
      dir: fileURLToPath(new URL('../..', import.meta.url)),
      include: NODE_WEBGPU_SUITE,
      env: {
        RECUR_BACKENDS: 'webgpu',
        XDG_RUNTIME_DIR: runtimeDir,
        ...(icd === undefined ? {} : { VK_ICD_FILENAMES: icd }),
      },
    },
  }),
);
