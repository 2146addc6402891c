import { wasmWith } from '@recur/backend-wasm';
import { KERNEL_DESCRIPTORS, RecurError, useBackend } from '@recur/core';
import { castMaskOutputs, checkLeaks, expectClose, kernelCaseValues } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sharedKernelsModule } from '../src/kernels/module.js';
import { poolFor, startThreads } from '../src/threads/backend-pools.js';
import { ThreadPool } from '../src/threads/thread-pool.js';

/** Split calls in one pass over the descriptors: forward and backward of each kernel that splits. */
const SPLIT_CALLS = 16;

/** Every descriptor's example at batch `batch`, as the parity harness runs it, on the active backend. */
function values(batch: number): Map<string, number[][]> {
  return new Map(
    KERNEL_DESCRIPTORS.map((descriptor) => [
      descriptor.name,
      kernelCaseValues({ descriptor, seed: 7, pins: { batch } }),
    ]),
  );
}

async function valuesOn(threads: number, batch: number): Promise<Map<string, number[][]>> {
  await useBackend(wasmWith({ threads }));
  return values(batch);
}

describe('wasm threads', () => {
  checkLeaks();

  let single: Map<string, number[][]>;
  beforeAll(async () => {
    single = await valuesOn(1, 7);
  });
  afterAll(async () => {
    await useBackend(wasmWith({ threads: 1 }));
  });

  describe('kernels split by batch rows', () => {
    for (const threads of [2, 3]) {
      it(`should equal the 1-thread kernels on ${threads} threads (forward 1e-5, gradients 1e-4), batch 7`, async () => {
        await useBackend(wasmWith({ threads }));
        const pool = poolFor(tf.backend());
        expect(pool?.threads).toBe(threads);
        // Every split kernel goes through the pool: forward and backward of each that splits.
        const run = vi.spyOn(pool as NonNullable<typeof pool>, 'run');
        const split = values(7);
        expect(run.mock.calls.length).toBeGreaterThanOrEqual(SPLIT_CALLS);
        run.mockRestore();
        for (const descriptor of KERNEL_DESCRIPTORS) {
          const expected = single.get(descriptor.name) as number[][];
          const actual = split.get(descriptor.name) as number[][];
          expect(actual.length, descriptor.name).toBe(expected.length);
          for (const [i, values] of actual.entries()) {
            const tolerance = i < descriptor.outputs.length ? { rtol: 1e-5, atol: 1e-5 } : { rtol: 1e-4, atol: 1e-4 };
            expectClose(values, expected[i] as number[], tolerance);
          }
        }
      });

      it(`should give bit-identical results in two runs on ${threads} threads`, async () => {
        const first = await valuesOn(threads, 5);
        const second = await valuesOn(threads, 5);
        expect(second).toEqual(first);
      });
    }

    it('should read masks cast from bool (one byte per step on cpu) as one thread does', async () => {
      const outputs = async (threads: number) => {
        await useBackend(wasmWith({ threads }));
        return KERNEL_DESCRIPTORS.map((descriptor) =>
          castMaskOutputs({ descriptor, seed: 3, pins: { batch: 5, masked: true, initial: true } }),
        );
      };
      const alone = await outputs(1);
      const split = await outputs(3);
      expect(alone.filter((o) => o !== undefined).length).toBe(KERNEL_DESCRIPTORS.length - 1);
      for (const [i, values] of split.entries()) {
        for (const [j, output] of (values ?? []).entries()) {
          expectClose(output, alone[i]?.[j] as number[], { rtol: 1e-5, atol: 1e-5 });
        }
      }
    });

    it('should run a batch of one on the calling thread alone', async () => {
      const split = await valuesOn(2, 1);
      const alone = await valuesOn(1, 1);
      expect(split).toEqual(alone);
    });
  });

  describe('wasmWith', () => {
    it('should report the threads in use and why', async () => {
      const plugin = wasmWith({ threads: 2 });
      await useBackend(plugin);
      expect(plugin.capabilities().details.threads).toBe(2);
      expect(plugin.capabilities().details.threadsReason).toMatch(/requested/);
      const defaults = wasmWith();
      await useBackend(defaults);
      expect(defaults.capabilities().details.threadsReason).toMatch(/cores available/);
    });

    it('should refuse a thread count that is not an integer from 1 to 64', () => {
      for (const threads of [0, -1, 1.5, 65, Number.NaN, '2']) {
        expect(() => wasmWith({ threads: threads as number })).toThrow(RecurError);
        expect(() => wasmWith({ threads: threads as number })).toThrow(/threads: expected an integer from 1 to 64/);
      }
    });

    it('should stop the pool when tfjs disposes the backend', async () => {
      let disposed = 0;
      const backend = { dispose: () => void disposed++ };
      await startThreads(backend, 2);
      const pool = poolFor(backend) as ThreadPool;
      expect(pool.threads).toBe(2);
      const exited = new Promise<void>((resolve) => {
        const dispose = pool.dispose.bind(pool);
        pool.dispose = () => dispose().then(resolve);
      });
      backend.dispose();
      expect(disposed).toBe(1);
      expect(poolFor(backend)).toBeUndefined();
      await exited;
      expect(pool.threads).toBe(1);
    });
  });

  describe('ThreadPool', () => {
    it('should run one call per thread at once and end its workers on dispose', async () => {
      const pool = await ThreadPool.start(3, sharedKernelsModule() as WebAssembly.Module);
      const calls = [0, 1, 2].map((i) => ({ name: 'lstmForwardScratch', args: [i + 1, 2, 3, 4] }));
      expect(() => pool.run(calls)).not.toThrow();
      expect(() => pool.run([...calls, ...calls])).toThrow(RecurError);
      await pool.dispose();
      expect(pool.threads).toBe(1);
    });
  });
});
