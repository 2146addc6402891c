import { wasmWith } from '@recur/backend-wasm';
import { RecurError, useBackend } from '@recur/core';
import { checkLeaks, describeThreadSplit } from '@recur/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { sharedKernelsModule } from '../src/kernels/module.js';
import { poolFor, startThreads } from '../src/threads/backend-pools.js';
import { ThreadPool } from '../src/threads/thread-pool.js';

describeThreadSplit('wasm threads: kernels split by batch rows', {
  plugin: (threads) => wasmWith({ threads }),
  pool: (backend) => poolFor(backend),
  splitCalls: 18,
  seed: 7,
});

describe('wasm threads', () => {
  checkLeaks();
  afterAll(async () => {
    await useBackend(wasmWith({ threads: 1 }));
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
