import { RecurError } from '@recur/core';
import { checkThreads, copyRows, planThreads, rowShares, startWorker, sumInOrder } from '@recur/core/kernel-api';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

describe('rowShares', () => {
  it('should cover every row once, in order, in at most `threads` shares differing by one row at most', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 64 }), (batch, threads) => {
        const shares = rowShares(batch, threads);
        expect(shares.length).toBe(Math.min(batch, threads));
        let next = 0;
        for (const [first, rows] of shares) {
          expect(first).toBe(next);
          expect(rows).toBeGreaterThan(0);
          next += rows;
        }
        expect(next).toBe(batch);
        const counts = shares.map(([, rows]) => rows);
        expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
      }),
    );
  });
});

describe('copyRows', () => {
  it('should gather each share as its own [outer, rows, inner] tensor and scatter the shares back to the whole', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 4 }),
        fc.constantFrom(0, 1),
        (outer, batch, inner, threads, axis) => {
          const shape = axis === 0 ? [batch, outer, inner] : [outer, batch, inner];
          const whole = Float32Array.from({ length: outer * batch * inner }, (_, i) => i + 0.5);
          const bytes = new Uint8Array(whole.buffer);
          const back = new Float32Array(whole.length);
          for (const rows of rowShares(batch, threads)) {
            const part = new Float32Array(rows[1] * outer * inner);
            const slice = { shape, axis, rows, bytes: 4 };
            copyRows('gather', bytes, 0, new Uint8Array(part.buffer), 0, slice);
            const [first] = rows;
            // The share's first element is the whole's element at its first row.
            const at = axis === 0 ? first * outer * inner : first * inner;
            expect(part[0]).toBe(whole[at]);
            copyRows('scatter', new Uint8Array(back.buffer), 0, new Uint8Array(part.buffer), 0, slice);
          }
          expect(back).toEqual(whole);
        },
      ),
    );
  });
});

describe('sumInOrder', () => {
  it('should add the parts in their order, rounding to float32 at each addition', () => {
    const total = new Float32Array(1);
    sumInOrder(total, [Float32Array.of(1e8), Float32Array.of(1), Float32Array.of(-1e8)]);
    expect(total[0]).toBe(0);
    sumInOrder(total, [Float32Array.of(1e8), Float32Array.of(-1e8), Float32Array.of(1)]);
    expect(total[0]).toBe(1);
  });
});

describe('threads', () => {
  it('should refuse a thread count that is not an integer from 1 to 64, naming the argument', () => {
    for (const bad of [0, 65, 2.5, Number.NaN, '3', null]) {
      expect(() => checkThreads('cpuWith(options).threads', bad)).toThrow(RecurError);
      expect(() => checkThreads('cpuWith(options).threads', bad)).toThrow(
        /cpuWith\(options\).threads: expected an integer from 1 to 64/,
      );
    }
    expect(checkThreads('threads', undefined)).toBeUndefined();
    expect(checkThreads('threads', 3)).toBe(3);
  });

  it('should plan the requested count in Node, or the cores available', async () => {
    expect(await planThreads(3)).toEqual({ count: 3, reason: 'threads: 3 as requested' });
    const { availableParallelism } = await import('node:os');
    expect((await planThreads(undefined)).count).toBe(availableParallelism());
  });
});

describe('startWorker', () => {
  // The protocol both pools' scripts keep: data as `workerData` in Node, then one message.
  const ECHO = `const { parentPort, workerData } = require('node:worker_threads');
    Atomics.store(workerData.flag, 0, workerData.value);
    parentPort.postMessage('ready');`;

  it('should start the script with its data, shared memory shared, once it says it is ready', async () => {
    const flag = new Int32Array(new SharedArrayBuffer(4));
    const worker = await startWorker(ECHO, { flag, value: 7 }, 'test pool');
    expect(Atomics.load(flag, 0)).toBe(7);
    await worker.terminate();
  });

  it('should fail with BACKEND_UNAVAILABLE, naming the pool, when the script throws before it is ready', async () => {
    const error = await startWorker("throw new Error('no kernels')", {}, 'test pool').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RecurError);
    expect((error as RecurError).message).toMatch(/test pool: a worker failed to start: Error: no kernels/);
    const exited = await startWorker('process.exit(0)', {}, 'test pool').catch((e: unknown) => e);
    expect(exited).toBeInstanceOf(RecurError);
    expect((exited as RecurError).code).toBe('BACKEND_UNAVAILABLE');
    expect((exited as RecurError).message).toMatch(/test pool: a worker exited before it was ready/);
  });
});
