import { cpuWith } from '@recur/backend-cpu';
import { RecurError, useBackend } from '@recur/core';
import { checkLeaks, describeThreadSplit } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { CpuThreadPool } from '../src/threads/cpu-pool.js';
import { allocate, poolMemory, readMessage, resetArena, writeMessage } from '../src/threads/pool-memory.js';
import type { RowJob } from '../src/threads/row-job.js';
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

    it("should report a worker's failure with the kernel's name and the worker's error", async () => {
      const pool = await CpuThreadPool.start(2);
      const at = pool.inputs(0);
      // An empty scan on the calling thread; an LSTM without its arrays in the worker.
      const h0 = { at, length: 0, type: 'Float32Array' } as const;
      const empty: RowJob = {
        name: 'linearScanForward',
        inputs: { h0 },
        dims: { batch: 0, time: 0, features: 0 },
        attrs: false,
      };
      const broken: RowJob = { name: 'lstmForward', inputs: {}, dims: { batch: 1, time: 1 }, attrs: {} };
      expect(() => pool.run([empty, broken])).toThrow(/cpu threads: lstmForward failed in worker 1: TypeError/);
      expect(pool.run([empty, empty]).map((outputs) => Object.keys(outputs))).toEqual([
        ['hs', 'hT'],
        ['hs', 'hT'],
      ]);
      await pool.dispose();
    });
  });

  describe('pool memory', () => {
    it('should carry a message through JSON, non-finite numbers included, and refuse one too long', () => {
      const memory = poolMemory(3);
      const job = { name: 'ctcLossForward', dims: { batch: 2, time: 3 }, attrs: { clip: Infinity, low: -Infinity } };
      expect(writeMessage(memory, 2, { ...job, nan: Number.NaN })).toBe(true);
      expect(readMessage(memory, 2)).toEqual({ ...job, nan: Number.NaN });
      // Too long: refused, and the slot keeps its message.
      expect(writeMessage(memory, 2, 'x'.repeat(20_000))).toBe(false);
      expect(readMessage(memory, 2)).toEqual({ ...job, nan: Number.NaN });
    });

    it('should allocate aligned, disjoint blocks after the inputs, growing the memory as it must', () => {
      const memory = poolMemory(2);
      const pages = memory.buffer.byteLength / 65536;
      const inputs = pool(memory).inputs(100);
      const first = allocate(memory, 3);
      const second = allocate(memory, 200_000);
      expect([inputs % 8, first % 8, second % 8]).toEqual([0, 0, 0]);
      expect(first).toBe(inputs + 104);
      expect(second).toBe(first + 8);
      expect(memory.buffer.byteLength).toBeGreaterThanOrEqual(second + 200_000);
      expect(memory.buffer.byteLength / 65536).toBeGreaterThan(pages);
      // A new call starts the arena over.
      expect(pool(memory).inputs(100)).toBe(inputs);
      // More than the pool's 2 GiB: refused as a value, the arena unmoved.
      expect(allocate(memory, 2 ** 31 + 8)).toBe(-1);
      expect(allocate(memory, 8)).toBe(inputs + 104);
    });
  });
});

/** The arena of a 2-thread pool's memory, as a call resets it. */
const pool = (memory: WebAssembly.Memory) => ({ inputs: (bytes: number) => resetArena(memory, 2, bytes) });
