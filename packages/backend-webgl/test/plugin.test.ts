import { cpu } from '@recur/backend-cpu';
import { WEBGL_KERNELS, webgl } from '@recur/backend-webgl';
import { RecurError, useBackend } from '@recur/core';
import { expectCoversEveryDescriptor } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

// WebGL itself is tested in Chromium by the browser project (packages/test-browser).
describe('webgl plug-in in Node', () => {
  describe('useBackend(webgl)', () => {
    it('should fail with BACKEND_UNAVAILABLE saying WebGL needs a browser, and keep the previous backend', async () => {
      await useBackend(cpu);
      const error = await useBackend(webgl).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RecurError);
      expect((error as RecurError).code).toBe('BACKEND_UNAVAILABLE');
      expect((error as RecurError).message).toMatch(
        /backend 'webgl' failed to set up: WebGL runs in browsers and workers only .*in Node use @recur\/backend-webgpu/,
      );
      expect(tf.getBackend()).toBe('cpu');
    });
  });

  describe('capabilities', () => {
    it('should name its environments and that Recur runs its reference kernels there', () => {
      const caps = webgl.capabilities();
      expect(webgl.name).toBe('webgl');
      expect(caps.environments).toEqual(['browser', 'worker']);
      expect(caps.fusedKernels).toEqual([]);
      expect(String(caps.details.implementation)).toMatch(/reference/);
    });

    it('should list each of core kernel descriptors once, each as the reference', () => {
      expectCoversEveryDescriptor(WEBGL_KERNELS, 'webgl');
      for (const kernel of WEBGL_KERNELS) expect(kernel.configs).toEqual([]);
    });
  });
});
