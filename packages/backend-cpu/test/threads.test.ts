import { cpuWith } from '@recur/backend-cpu';
import { RecurError, useBackend } from '@recur/core';
import { checkLeaks, describeThreadSplit } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { CpuThreadPool } from '../src/threads/cpu-pool.js';
import { ROW_KERNELS } from '../src/threads/row-kernels.js';
import { cpuPools } from '../src/threads/split-rows.js';

describeThreadSplit('cpu threads: kernels split by batch rows', {
  plugin: (threads) => cpuWith({ threads }),
  pool: (backend) => cpuPools.get(backend),
  splitCalls: 18,
  seed: 11,
  checkCalls: (calls) => {
    const names = new Set(calls.flatMap(([jobs]) => (jobs as { name: string }[]).map((job) => job.name)));
    expect([...names].sort()).toEqual(Object.keys(ROW_KERNELS).sort());
  },
});

describe('cpu threads', () => {
  checkLeaks();
  afterAll(async () => {
    await useBackend(cpuWith({ threads: 1 }));
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
