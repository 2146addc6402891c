import { cpu } from '@recur/backend-cpu';
import { webgpuWith } from '@recur/backend-webgpu';
import { type BackendCapabilities, RecurError, useBackend } from '@recur/core';
import { checkLeaks, describeBackends, expectClose } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

/** What each plug-in must report in Chromium on SwiftShader. */
const CAPABILITIES: Record<string, (caps: BackendCapabilities) => void> = {
  cpu: (caps) => {
    expect(caps.exactFloat32).toBe(true);
    expect(caps.environments).toEqual(['node', 'browser', 'worker']);
  },
  wasm: (caps) => {
    expect(caps.exactFloat32).toBe(true);
    expect(caps.details.simd).toBe(true);
    // Chromium 114+ validates relaxed SIMD: the kernels' fused multiply-add build runs.
    expect(caps.details.kernelBuild).toBe('relaxed-simd');
  },
  webgl: (caps) => {
    expect(caps.details.webglVersion).toBe(2);
    expect(caps.exactFloat32).toBe(caps.details.float32Textures);
    expect(caps.fusedKernels).toEqual([]);
  },
  webgpu: (caps) => {
    expect(caps.details.syncReads).toBe('canvas');
    expect(caps.exactFloat32).toBe(true);
    expect(caps.fusedKernels).toEqual([
      ...['RecurLstmSequence', 'RecurLstmSequenceGrad', 'RecurGruSequence', 'RecurGruSequenceGrad'],
      ...['RecurLinearScan', 'RecurLinearScanGrad'],
    ]);
  },
};

describe('the browser test environment', () => {
  it('should be a real browser page with WebGPU and WebGL 2', () => {
    expect(typeof document).toBe('object');
    expect(navigator.userAgent).toMatch(/Chrome\//);
    expect('gpu' in navigator).toBe(true);
    expect(document.createElement('canvas').getContext('webgl2')).not.toBeNull();
  });
});

// First: once a webgpu backend runs, setup keeps its device and asks for no adapter.
describe('webgpu plug-in in a browser without an adapter', () => {
  it('should fail with BACKEND_UNAVAILABLE and the reason, keeping the running backend', async () => {
    await useBackend(cpu);
    const error = await useBackend(webgpuWith({ gpu: { requestAdapter: async () => null } })).catch((e) => e);
    expect(error).toBeInstanceOf(RecurError);
    expect((error as RecurError).code).toBe('BACKEND_UNAVAILABLE');
    expect((error as RecurError).message).toMatch(/no WebGPU adapter found: the browser found no usable GPU/);
    expect(tf.getBackend()).toBe('cpu');
  });
});

describeBackends('backend plug-in in Chromium', (backend) => {
  checkLeaks();

  it('should run on the backend it names', () => {
    expect(tf.getBackend()).toBe(backend.name);
    expect(backend.capabilities().environments).toContain('browser');
  });

  it('should compute and differentiate, reading back synchronously and asynchronously', async () => {
    const [y, g] = tf.tidy(() => {
      const x = tf.reshape(tf.range(0, 4096, 1, 'float32'), [64, 64]);
      const scaled = tf.mul(x, tf.scalar(1 / 4096));
      return [tf.matMul(scaled, scaled), tf.grad((v: tf.Tensor) => tf.sum(tf.exp(v)))(scaled)];
    });
    const expected = new Float64Array(64 * 64);
    for (let i = 0; i < 64; i++)
      for (let j = 0; j < 64; j++) {
        let s = 0;
        for (let k = 0; k < 64; k++) s += ((i * 64 + k) / 4096) * ((k * 64 + j) / 4096);
        expected[i * 64 + j] = s;
      }
    expectClose((y as tf.Tensor).dataSync(), expected, { rtol: 1e-4, atol: 1e-5 });
    const grad = await (g as tf.Tensor).data();
    expectClose(
      grad,
      Array.from({ length: 4096 }, (_, i) => Math.exp(i / 4096)),
      { rtol: 1e-4 },
    );
    tf.dispose([y as tf.Tensor, g as tf.Tensor]);
  });

  it('should say what it runs on', () => {
    const check = CAPABILITIES[backend.name];
    expect(check, `expectations for ${backend.name}`).toBeDefined();
    check?.(backend.capabilities());
  });
});
