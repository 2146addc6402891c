import { cpu } from '@recur/backend-cpu';
import { wasm } from '@recur/backend-wasm';
import { type BackendPlugin, useBackend } from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect } from 'vitest';

const KNOWN: Record<string, BackendPlugin> = { cpu, wasm };

/**
 * The backends the test run covers: `RECUR_BACKENDS` (comma-separated) or every backend
 * this machine can start in Node (cpu, wasm). A listed backend that fails to start
 * fails its tests; it is never skipped.
 */
export function backendMatrix(): BackendPlugin[] {
  const wanted = (process.env.RECUR_BACKENDS ?? 'cpu,wasm')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return wanted.map((name) => {
    const plugin = KNOWN[name];
    if (plugin === undefined)
      throw new Error(`RECUR_BACKENDS names '${name}', known: ${Object.keys(KNOWN).join(', ')}`);
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
