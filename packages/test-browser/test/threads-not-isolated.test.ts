import { cpuWith } from '@recur/backend-cpu';
import { wasmWith } from '@recur/backend-wasm';
import { useBackend } from '@recur/core';
import { checkLeaks } from '@recur/test-utils';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type KernelWorker, startKernelWorker } from '../threads/kernel-worker-client.js';

const wasmPaths = inject('recurWasmPaths');
const NOT_ISOLATED = /no SharedArrayBuffer \(in a browser: the page is not cross-origin isolated\)/;

/** This project serves no isolation headers (the threads project does): one thread, and why. */
describe('fused kernels on threads in a page that is not cross-origin isolated', () => {
  it('should have no SharedArrayBuffer', () => {
    expect(crossOriginIsolated).toBe(false);
    expect(typeof SharedArrayBuffer).toBe('undefined');
  });

  describe('in a module Web Worker', () => {
    let worker: KernelWorker;
    beforeAll(() => {
      worker = startKernelWorker();
    });
    afterAll(() => worker.terminate());

    it.each(['wasm', 'cpu'] as const)('should run the %s kernels on one thread and say why', async (backend) => {
      const answer = await worker.ask({ backend, threads: 2, seed: 5, pins: { batch: 4 }, wasmPaths });
      expect(answer).toMatchObject({ crossOriginIsolated: false, threads: 1, poolThreads: 1, splitCalls: 0 });
      expect(answer.threadsReason).toMatch(NOT_ISOLATED);
      expect(answer.leakedTensors).toBe(0);
    });
  });

  describe("on the page's main thread", () => {
    beforeAll(async () => {
      await useBackend(cpuWith({ threads: 1 }));
    });
    checkLeaks();

    it.each([
      ['wasm', () => wasmWith({ threads: 2, wasmPaths })],
      ['cpu', () => cpuWith({ threads: 2 })],
    ])('should run the %s kernels on one thread and say why', async (_, plugin) => {
      const threaded = plugin();
      await useBackend(threaded);
      expect(threaded.capabilities().details.threads).toBe(1);
      expect(threaded.capabilities().details.threadsReason).toMatch(NOT_ISOLATED);
    });
  });
});
