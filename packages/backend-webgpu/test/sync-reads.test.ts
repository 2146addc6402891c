import { cpu } from '@recur/backend-cpu';
import { webgpu } from '@recur/backend-webgpu';
import { RecurError, useBackend } from '@recur/core';
import { checkLeaks } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { setUpSyncReads } from '../src/sync-read.js';

describe('synchronous reads on webgpu', () => {
  beforeAll(async () => {
    await useBackend(cpu);
  });
  checkLeaks();

  it("should pump Dawn's events in Node, so dataSync of GPU data returns its values", async () => {
    await useBackend(webgpu);
    expect(webgpu.capabilities().details.syncReads).toBe('dawn');
    const y = tf.tidy(() => tf.mul(tf.range(0, 5000, 1, 'float32'), tf.scalar(2)));
    const values = y.dataSync();
    y.dispose();
    expect(values.length).toBe(5000);
    expect(values.every((v, i) => v === 2 * i)).toBe(true);
  });

  it('should refuse GPU reads with NOT_SUPPORTED and the reason where the canvas readback gives wrong values', async () => {
    await useBackend(webgpu);
    // A backend whose readback hands back zeros, as headless Chromium on SwiftShader does
    // without Vulkan compositing; values already on the CPU are still served.
    const onCpu = tf.tensor1d([1, 2, 3]);
    const cached = tf.backend().readSync(onCpu.dataId);
    const fake: { tensorMap: { get(id: object): object }; readSync(dataId: object): unknown } = {
      tensorMap: { get: (id) => (id === onCpu.dataId ? { values: cached, dtype: 'float32' } : { dtype: 'float32' }) },
      readSync: () => new Float32Array(1024),
    };
    const OffscreenCanvasBefore = (globalThis as { OffscreenCanvas?: unknown }).OffscreenCanvas;
    (globalThis as { OffscreenCanvas?: unknown }).OffscreenCanvas = class {};
    try {
      expect(await setUpSyncReads(fake as unknown as tf.KernelBackend, false)).toBe('unavailable');
    } finally {
      (globalThis as { OffscreenCanvas?: unknown }).OffscreenCanvas = OffscreenCanvasBefore;
    }
    expect(fake.readSync(onCpu.dataId)).toBe(cached);
    let error: unknown;
    try {
      fake.readSync({});
    } catch (e) {
      error = e;
    }
    onCpu.dispose();
    expect(error).toBeInstanceOf(RecurError);
    expect((error as RecurError).code).toBe('NOT_SUPPORTED');
    expect((error as RecurError).message).toMatch(
      /synchronous reads .* are not available here: the WebGPU canvas readback/,
    );
  });
});
