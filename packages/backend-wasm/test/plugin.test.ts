import { availableParallelism } from 'node:os';
import { cpu } from '@recur/backend-cpu';
import { wasm, wasmWith } from '@recur/backend-wasm';
import { useBackend } from '@recur/core';
import { checkLeaks, expectClose } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';

describe('wasm plug-in', () => {
  checkLeaks();

  beforeAll(async () => {
    await useBackend(wasm);
  });

  it("should activate the tfjs backend named wasm, with SIMD, without tfjs' threads in Node and Recur's on every core", () => {
    expect(tf.getBackend()).toBe('wasm');
    const caps = wasm.capabilities();
    expect(caps.details.simd).toBe(true);
    expect(caps.details.tfjsThreads).toBe(false);
    expect(caps.details.threads).toBe(availableParallelism());
    expect(caps.environments).toContain('node');
  });

  it('should agree with the cpu backend on a product and its gradient', async () => {
    const run = () =>
      tf.tidy(() => {
        const a = tf.tensor2d([
          [0.5, -1, 2],
          [1.5, 0.25, -0.75],
        ]);
        const b = tf.tensor2d([
          [1, 2],
          [3, -4],
          [0.5, 0.125],
        ]);
        const g = tf.grad((v: tf.Tensor) => tf.sum(tf.tanh(tf.matMul(v as tf.Tensor2D, b))))(a);
        return Array.from(tf.concat([tf.reshape(tf.matMul(a, b), [-1]), tf.reshape(g, [-1])]).dataSync());
      });
    const onWasm = run();
    await useBackend(cpu);
    const onCpu = run();
    await useBackend(wasm);
    expect(tf.getBackend()).toBe('wasm');
    expectClose(onWasm, onCpu, { rtol: 1e-5, atol: 1e-6 });
  });

  it('should accept wasm file locations for browsers through wasmWith', () => {
    const plugin = wasmWith({ wasmPaths: '/assets/' });
    expect(plugin.name).toBe('wasm');
  });
});
