import { cpu } from '@recur/backend-cpu';
import { wasm, wasmWith } from '@recur/backend-wasm';
import { webgl } from '@recur/backend-webgl';
import { webgpu } from '@recur/backend-webgpu';
import { type BackendPlugin, badArgument, useBackend } from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Set by the browser test project: the backends to cover there (as `RECUR_BACKENDS`). */
    recurBackends?: string;
    /** Set by the browser test project: the URL of tfjs-backend-wasm's `.wasm` files. */
    recurWasmPaths?: string;
  }
}

interface NodeProcess {
  env: Record<string, string | undefined>;
  getBuiltinModule?(id: 'fs'): { existsSync(path: string): boolean };
}

const nodeProcess = (globalThis as { process?: NodeProcess }).process;
const inBrowser = typeof (globalThis as { document?: unknown }).document !== 'undefined';

function known(): Record<string, BackendPlugin> {
  const wasmPaths = inject('recurWasmPaths');
  return { cpu, wasm: wasmPaths === undefined ? wasm : wasmWith({ wasmPaths }), webgl, webgpu };
}

/**
 * WebGPU in Node runs on Dawn when a Vulkan driver is configured through
 * `VK_ICD_FILENAMES`, e.g. Chromium's SwiftShader (a software GPU):
 * `/usr/lib/chromium/vk_swiftshader_icd.json`.
 */
function vulkanDriverConfigured(): boolean {
  const icd = nodeProcess?.env.VK_ICD_FILENAMES;
  if (icd === undefined || icd === '') return false;
  const fs = nodeProcess?.getBuiltinModule?.('fs');
  return fs !== undefined && icd.split(':').every((path) => fs.existsSync(path));
}

function defaultBackends(): string {
  if (inBrowser) return 'cpu,wasm,webgl,webgpu';
  return vulkanDriverConfigured() ? 'cpu,wasm,webgpu' : 'cpu,wasm';
}

/**
 * The backends the test run covers: `RECUR_BACKENDS` (comma-separated) or every backend
 * this environment can start: in Node cpu and wasm, plus webgpu when a Vulkan driver is
 * configured (`VK_ICD_FILENAMES` names existing files); in a browser cpu, wasm, webgl and
 * webgpu. A listed backend that fails to start fails its tests; it is never skipped.
 */
export function backendMatrix(): BackendPlugin[] {
  const plugins = known();
  const wanted = (inject('recurBackends') ?? nodeProcess?.env.RECUR_BACKENDS ?? defaultBackends())
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return wanted.map((name) => {
    const plugin = plugins[name];
    if (plugin === undefined)
      throw badArgument('BAD_CONFIG', 'RECUR_BACKENDS', `backend names among ${Object.keys(plugins).join(', ')}`, name);
    return plugin;
  });
}

/**
 * `describe.each` over the backend matrix. Each block activates its backend before its
 * tests and asserts by name that it is the one running.
 */
export function describeBackends(title: string, body: (backend: BackendPlugin) => void): void {
  describe.each(backendMatrix().map((b) => [b.name, b] as const))(`${title} [%s]`, (_name, backend) => {
    beforeAll(async () => {
      await useBackend(backend);
      expect(tf.getBackend()).toBe(backend.name);
    });
    body(backend);
  });
}
