import { cpu } from '@recur/backend-cpu';
import { WEBGPU_KERNELS, webgpu, webgpuWith } from '@recur/backend-webgpu';
import { RecurError, useBackend } from '@recur/core';
import { checkLeaks, expectClose } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';

// A plug-in whose GPU has no adapter: what a machine without a (software) GPU gives.
const noAdapter = webgpuWith({ gpu: { requestAdapter: async () => null } });

describe('webgpu plug-in', () => {
  // A backend must run before checkLeaks counts tensors, or counting starts tfjs' favourite.
  beforeAll(async () => {
    await useBackend(cpu);
  });
  checkLeaks();

  describe('setup without an adapter', () => {
    it('should fail useBackend with BACKEND_UNAVAILABLE naming the reason and keep the previous backend', async () => {
      const error = await useBackend(noAdapter).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RecurError);
      expect((error as RecurError).code).toBe('BACKEND_UNAVAILABLE');
      expect((error as RecurError).message).toMatch(/backend 'webgpu' failed to set up: no WebGPU adapter found: .+/);
      expect(tf.getBackend()).toBe('cpu');
    });
  });

  describe('webgpuWith', () => {
    it('should refuse an unknown power preference before touching the GPU', () => {
      expect(() => webgpuWith({ powerPreference: 'fast' as 'low-power' })).toThrow(
        /webgpuWith\(options\)\.powerPreference: expected 'high-performance' or 'low-power', received 'fast'/,
      );
    });
  });

  describe('useBackend(webgpu)', () => {
    beforeAll(async () => {
      await useBackend(webgpu);
    });

    it('should activate the tfjs backend named webgpu', () => {
      expect(webgpu.name).toBe('webgpu');
      expect(tf.getBackend()).toBe('webgpu');
    });

    it('should report the adapter and the fused WGSL kernels', () => {
      const caps = webgpu.capabilities();
      expect(caps.fusedKernels).toEqual(WEBGPU_KERNELS.flatMap((k) => k.configs.map((c) => c.kernelName)));
      expect(caps.fusedKernels).toContain('RecurLstmSequence');
      expect(caps.environments).toEqual(['node', 'browser', 'worker']);
      expect(caps.exactFloat32).toBe(true);
      expect(String(caps.details.implementation)).toMatch(/Recur WGSL \(LSTM, GRU, linear scan\)/);
      expect(String(caps.details.vendor).length + String(caps.details.architecture).length).toBeGreaterThan(0);
      expect(caps.details.syncReads).toBe('dawn');
    });

    it('should compute and differentiate on the GPU', async () => {
      const [y, g] = tf.tidy(() => {
        const x = tf.tensor2d([
          [1, 2],
          [3, 4],
        ]);
        return [tf.matMul(x, x), tf.grad((v: tf.Tensor) => tf.sum(tf.exp(v)))(x)];
      });
      expectClose(await (y as tf.Tensor).data(), [7, 10, 15, 22]);
      expectClose(await (g as tf.Tensor).data(), [1, 2, 3, 4].map(Math.exp), { rtol: 1e-5 });
      tf.dispose([y as tf.Tensor, g as tf.Tensor]);
    });

    it('should read GPU-resident results synchronously (dataSync) in Node', () => {
      // 64×64 exceeds tfjs' CPU hand-off size, so the product stays in a GPU buffer.
      const [a, b] = tf.tidy(() => {
        const x = tf.reshape(tf.range(0, 4096, 1, 'float32'), [64, 64]);
        const scaled = tf.mul(x, tf.scalar(1 / 4096));
        return [scaled, tf.matMul(scaled, scaled)];
      });
      const values = (b as tf.Tensor).dataSync();
      const host = (a as tf.Tensor).arraySync() as number[][];
      const expected = new Float64Array(64 * 64);
      for (let i = 0; i < 64; i++)
        for (let j = 0; j < 64; j++) {
          let s = 0;
          for (let k = 0; k < 64; k++) s += (host[i]?.[k] as number) * (host[k]?.[j] as number);
          expected[i * 64 + j] = s;
        }
      expectClose(values, expected, { rtol: 1e-4, atol: 1e-5 });
      tf.dispose([a as tf.Tensor, b as tf.Tensor]);
    });

    it('should be idempotent when activated again, keeping its device', async () => {
      const before = tf.backend();
      await useBackend(webgpu);
      await useBackend(webgpu);
      expect(tf.getBackend()).toBe('webgpu');
      expect(tf.backend()).toBe(before);
    });
  });
});
