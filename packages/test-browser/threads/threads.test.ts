import { cpuWith } from '@recur/backend-cpu';
import { wasmWith } from '@recur/backend-wasm';
import { KERNEL_DESCRIPTORS, useBackend } from '@recur/core';
import { checkLeaks, expectClose } from '@recur/test-utils';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type KernelAnswer, type KernelWorker, startKernelWorker } from './kernel-worker-client.js';

const wasmPaths = inject('recurWasmPaths');
/** A batch of 8 splits over 2 threads; the other shapes keep the run short on a loaded machine. */
const PINS = { batch: 8, time: 6, input: 12, units: 24, masked: true };

/** Outputs within 1e-5 and gradients within 1e-4 of the 1-thread kernels, kernel by kernel. */
function expectSameAsOneThread(split: KernelAnswer, single: KernelAnswer): void {
  for (const [name, expected] of Object.entries(single.values)) {
    const descriptor = KERNEL_DESCRIPTORS.find((d) => d.name === name);
    const actual = split.values[name] as number[][];
    expect(actual.length, name).toBe(expected.length);
    for (const [i, output] of actual.entries()) {
      const tolerance = i < (descriptor?.outputs.length ?? 0) ? { rtol: 1e-5, atol: 1e-5 } : { rtol: 1e-4, atol: 1e-4 };
      expectClose(output, expected[i] as number[], tolerance);
    }
  }
}

describe('fused kernels on threads in a cross-origin-isolated page', () => {
  it('should be served cross-origin isolated, with SharedArrayBuffer', () => {
    expect(crossOriginIsolated).toBe(true);
    expect(typeof SharedArrayBuffer).toBe('function');
  });

  describe.each(['wasm', 'cpu'] as const)('%s plug-in in a module Web Worker', (backend) => {
    let worker: KernelWorker;
    const ask = (threads: number) => worker.ask({ backend, threads, seed: 5, pins: PINS, wasmPaths });
    beforeAll(() => {
      worker = startKernelWorker();
    });
    afterAll(() => worker.terminate());

    it('should split the LSTM and GRU over 2 threads and match 1 thread (forward 1e-5, gradients 1e-4)', async () => {
      const single = await ask(1);
      const split = await ask(2);
      expect(split.crossOriginIsolated).toBe(true);
      expect(split.threads).toBe(2);
      expect(split.threadsReason).toBe('threads: 2 as requested');
      // tfjs runs its own threaded wasm build here: its heap is shared memory, unlike in Node.
      if (backend === 'wasm') expect(split.details.tfjsThreads).toBe(true);
      expect(split.poolThreads).toBe(2);
      // Forward and backward of both kernels went through the pool.
      expect(split.splitCalls).toBeGreaterThanOrEqual(4);
      expect(single).toMatchObject({ threads: 1, poolThreads: 1, splitCalls: 0 });
      expect([single.leakedTensors, split.leakedTensors]).toEqual([0, 0]);
      expectSameAsOneThread(split, single);
    });

    it('should default to the cores the browser reports, and say so', async () => {
      const cores = navigator.hardwareConcurrency;
      const answer = await worker.ask({ backend, seed: 5, pins: { batch: 2 }, wasmPaths });
      expect(answer.threads).toBe(Math.min(cores, 64));
      expect(answer.threadsReason).toBe(`${cores} cores available`);
    });

    it('should give bit-identical results in two runs on 2 threads', async () => {
      const first = await ask(2);
      const second = await ask(2);
      expect(second.splitCalls).toBeGreaterThanOrEqual(4);
      expect(second.values).toEqual(first.values);
    });
  });

  describe("on the page's main thread", () => {
    beforeAll(async () => {
      await useBackend(cpuWith({ threads: 1 }));
    });
    checkLeaks();
    afterAll(async () => {
      await useBackend(cpuWith({ threads: 1 }));
    });

    it.each([
      ['wasm', () => wasmWith({ threads: 2, wasmPaths })],
      ['cpu', () => cpuWith({ threads: 2 })],
    ])(
      'should run the %s kernels on one thread, since the main thread may not block, and say so',
      async (_, plugin) => {
        const threaded = plugin();
        await useBackend(threaded);
        expect(threaded.capabilities().details.threads).toBe(1);
        expect(threaded.capabilities().details.threadsReason).toMatch(/main thread may not block .*Web Worker/);
      },
    );
  });
});
