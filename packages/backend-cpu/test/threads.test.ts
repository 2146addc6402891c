import { cpuWith } from '@recur/backend-cpu';
import { KERNEL_DESCRIPTORS, RecurError, useBackend } from '@recur/core';
import { castMaskOutputs, checkLeaks, expectClose, kernelCaseValues } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CpuThreadPool } from '../src/threads/cpu-pool.js';
import { ROW_KERNELS } from '../src/threads/row-kernels.js';
import { cpuPools } from '../src/threads/split-rows.js';

/** Split calls in one pass over the descriptors: forward and backward of each kernel that splits. */
const SPLIT_CALLS = 18;

/** Every descriptor's example at batch `batch`, as the parity harness runs it, on the active backend. */
function values(batch: number): Map<string, number[][]> {
  return new Map(
    KERNEL_DESCRIPTORS.map((descriptor) => [
      descriptor.name,
      kernelCaseValues({ descriptor, seed: 11, pins: { batch } }),
    ]),
  );
}

async function valuesOn(threads: number, batch: number): Promise<Map<string, number[][]>> {
  await useBackend(cpuWith({ threads }));
  return values(batch);
}

describe('cpu threads', () => {
  checkLeaks();

  let single: Map<string, number[][]>;
  beforeAll(async () => {
    single = await valuesOn(1, 7);
  });
  afterAll(async () => {
    await useBackend(cpuWith({ threads: 1 }));
  });

  describe('kernels split by batch rows', () => {
    for (const threads of [2, 3]) {
      it(`should equal the 1-thread kernels on ${threads} threads (forward 1e-5, gradients 1e-4), batch 7`, async () => {
        await useBackend(cpuWith({ threads }));
        const pool = cpuPools.get(tf.backend());
        expect(pool?.threads).toBe(threads);
        // Every split kernel goes through the pool: forward and backward of each that splits.
        const run = vi.spyOn(pool as NonNullable<typeof pool>, 'run');
        const split = values(7);
        expect(run.mock.calls.length).toBeGreaterThanOrEqual(SPLIT_CALLS);
        const names = new Set(run.mock.calls.flatMap(([jobs]) => jobs.map((job) => job.name)));
        expect([...names].sort()).toEqual(Object.keys(ROW_KERNELS).sort());
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
        await useBackend(cpuWith({ threads }));
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

    it('should run a batch of one on the calling thread alone, as one thread does', async () => {
      const split = await valuesOn(2, 1);
      const alone = await valuesOn(1, 1);
      expect(split).toEqual(alone);
    });
  });

  describe('cpuWith', () => {
    it('should report the threads in use and why', async () => {
      const plugin = cpuWith({ threads: 3 });
      await useBackend(plugin);
      expect(plugin.capabilities().details.threads).toBe(3);
      expect(plugin.capabilities().details.threadsReason).toMatch(/requested/);
      const single = cpuWith({ threads: 1 });
      await useBackend(single);
      expect(cpuPools.get(tf.backend())).toBeUndefined();
    });

    it('should refuse a thread count that is not an integer from 1 to 64', () => {
      for (const threads of [0, 65, 2.5, Number.NaN, '2']) {
        expect(() => cpuWith({ threads: threads as number })).toThrow(RecurError);
        expect(() => cpuWith({ threads: threads as number })).toThrow(
          /cpuWith\(options\).threads: expected an integer/,
        );
      }
    });
  });

  describe('CpuThreadPool', () => {
    it('should end its workers when the backend it serves is disposed', async () => {
      let disposed = 0;
      const backend = { dispose: () => void disposed++ };
      const pool = await CpuThreadPool.start(2);
      cpuPools.set(backend, pool);
      const exited = new Promise<void>((resolve) => {
        const dispose = pool.dispose.bind(pool);
        pool.dispose = () => dispose().then(resolve);
      });
      backend.dispose();
      expect(disposed).toBe(1);
      expect(cpuPools.get(backend)).toBeUndefined();
      await exited;
      expect(pool.threads).toBe(1);
    });
  });
});
