import { wasm } from '@recur/backend-wasm';
import { RecurError, useBackend } from '@recur/core';
import { checkLeaks } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';

describe("wasm heap guard (tfjs' malloc failing past 4 GiB)", () => {
  checkLeaks();

  beforeAll(async () => {
    await useBackend(wasm);
  });

  it('should throw a RecurError for a tensor the heap cannot hold, and leave the heap sound', () => {
    // 2³² − 256 bytes: malloc refuses at once (no growth needed). Unguarded, tfjs registered
    // the tensor at address 0 (here its typed-array view then failed with a RangeError; a
    // kernel writing from C++ runs over the heap's start instead).
    const fill = () => tf.fill([2 ** 30 - 64], 1);
    expect(fill).toThrow(RecurError);
    expect(fill).toThrow(/expected 4294967040 bytes from tfjs' heap, received none \(out of memory/);
    // Allocations and kernels after the failure work as before it.
    const sum = tf.tidy(() => tf.sum(tf.mul(tf.range(0, 1000), tf.fill([1000], 2))));
    expect(sum.dataSync()[0]).toBe(999000);
    sum.dispose();
  });

  it('should wrap malloc once, however often the plug-in is activated', async () => {
    await useBackend(wasm);
    const malloc = (tf.backend() as unknown as { wasm: { _malloc: unknown } }).wasm._malloc;
    await useBackend(wasm);
    expect((tf.backend() as unknown as { wasm: { _malloc: unknown } }).wasm._malloc).toBe(malloc);
    const p = (tf.backend() as unknown as { wasm: { _malloc(n: number): number; _free(p: number): void } }).wasm;
    const pointer = p._malloc(64);
    expect(pointer).not.toBe(0);
    p._free(pointer);
  });
});
