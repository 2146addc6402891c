import { cpu } from '@recur/backend-cpu';
import { useBackend } from '@recur/core';
import { backendMatrix, closeness, expectNoLeak } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';

describe('closeness', () => {
  beforeAll(async () => {
    await useBackend(cpu);
  });

  it('should pass within atol + rtol·|expected| and fail beyond, naming the worst element', () => {
    expect(closeness([1, 2, 3], [1, 2, 3.00001], { rtol: 1e-5, atol: 0 }).ok).toBe(true);
    const bad = closeness([1, 2, 3.1], [1, 2, 3], { rtol: 1e-3, atol: 1e-6 });
    expect(bad.ok).toBe(false);
    expect(bad.message).toMatch(/flat index 2: 3.1 vs expected 3/);
  });

  it('should fail on shape, length and NaN mismatches', async () => {
    await expectNoLeak(() => {
      const a = tf.zeros([2, 3]);
      const b = tf.zeros([3, 2]);
      expect(closeness(a, b).ok).toBe(false);
      tf.dispose([a, b]);
    });
    expect(closeness([1, 2], [1, 2, 3]).ok).toBe(false);
    expect(closeness([Number.NaN], [1]).ok).toBe(false);
  });
});

describe('backendMatrix', () => {
  it('should list cpu and wasm by default, each once', () => {
    // The default, whatever RECUR_BACKENDS this run was started with.
    const saved = process.env.RECUR_BACKENDS;
    delete process.env.RECUR_BACKENDS;
    try {
      const names = backendMatrix().map((b) => b.name);
      expect(names).toEqual(['cpu', 'wasm']);
    } finally {
      if (saved !== undefined) process.env.RECUR_BACKENDS = saved;
    }
  });

  it('should refuse an unknown backend name instead of skipping it', () => {
    const saved = process.env.RECUR_BACKENDS;
    process.env.RECUR_BACKENDS = 'cpu,tpu';
    try {
      expect(() => backendMatrix()).toThrow(
        /^RECUR_BACKENDS: expected backend names among cpu, wasm.*, received 'tpu'$/,
      );
    } finally {
      if (saved === undefined) delete process.env.RECUR_BACKENDS;
      else process.env.RECUR_BACKENDS = saved;
    }
  });
});
