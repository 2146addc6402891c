import { cpu } from '@recur/backend-cpu';
import { RecurSumOfSquares, useBackend } from '@recur/core';
import { checkLeaks, expectClose, expectCoversEveryDescriptor } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';

describe('cpu plug-in', () => {
  checkLeaks();

  beforeAll(async () => {
    await useBackend(cpu);
  });

  it('should activate the tfjs backend named cpu', () => {
    expect(cpu.name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
  });

  it('should report what it supports', () => {
    const caps = cpu.capabilities();
    expect(caps.environments).toEqual(['node', 'browser', 'worker']);
    expect(caps.exactFloat32).toBe(true);
    expect(Array.isArray(caps.fusedKernels)).toBe(true);
  });

  it('should compute and differentiate on the cpu backend', () => {
    const [y, g] = tf.tidy(() => {
      const x = tf.tensor2d([
        [1, 2],
        [3, 4],
      ]);
      return [tf.matMul(x, x), tf.grad((v: tf.Tensor) => tf.sum(tf.exp(v)))(x)];
    });
    expectClose(y as tf.Tensor, [7, 10, 15, 22]);
    expectClose(g as tf.Tensor, [1, 2, 3, 4].map(Math.exp));
    tf.dispose([y as tf.Tensor, g as tf.Tensor]);
  });

  it('should be idempotent when activated again', async () => {
    await useBackend(cpu);
    await useBackend(cpu);
    expect(tf.getBackend()).toBe('cpu');
  });
});

describe('cpu plug-in kernel list', () => {
  it('should implement each of core kernel descriptors exactly once, and register every fused kernel', async () => {
    const { CPU_KERNELS } = await import('@recur/backend-cpu');
    expectCoversEveryDescriptor(CPU_KERNELS, 'cpu');
    await useBackend(cpu);
    const names = CPU_KERNELS.flatMap((k) => k.configs.map((c) => c.kernelName));
    // The sum of squares takes a list, which no descriptor describes: it is registered beside them.
    for (const name of [...names, RecurSumOfSquares]) expect(tf.getKernel(name, 'cpu')).toBeDefined();
    expect(cpu.capabilities().fusedKernels).toEqual([...names, RecurSumOfSquares]);
  });
});
