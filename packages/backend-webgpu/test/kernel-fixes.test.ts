import { cpu } from '@recur/backend-cpu';
import { webgpu } from '@recur/backend-webgpu';
import { useBackend } from '@recur/core';
import { checkLeaks } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** Runs `fn` on cpu and on webgpu, returning both results read back. */
async function onBoth(fn: () => tf.Tensor): Promise<{ cpu: number[]; webgpu: number[] }> {
  const out: Record<string, number[]> = {};
  for (const backend of [cpu, webgpu]) {
    await useBackend(backend);
    const t = fn();
    out[backend.name] = Array.from(await t.data());
    t.dispose();
  }
  return { cpu: out.cpu as number[], webgpu: out.webgpu as number[] };
}

// Values computed on the GPU (CPU hand-off is off in these tests: small operands would
// otherwise be transposed by tfjs' JavaScript kernels).
const onGpu = (values: number[], shape: number[], dtype: 'int32' | 'bool') =>
  tf.tidy(() => {
    const x = tf.tensor(values, shape, 'int32');
    const y = tf.add(x, tf.zerosLike(x));
    return dtype === 'bool' ? tf.cast(y, 'bool') : y;
  });

describe('webgpu kernel fixes', () => {
  beforeAll(async () => {
    await useBackend(webgpu);
  });
  checkLeaks();

  describe('Transpose of int32 and bool tensors (tfjs 4.22 emits WGSL that does not compile)', () => {
    let forward = true;
    beforeAll(() => {
      forward = tf.env().getBool('WEBGPU_CPU_FORWARD');
      tf.env().set('WEBGPU_CPU_FORWARD', false);
    });
    afterAll(() => {
      tf.env().set('WEBGPU_CPU_FORWARD', forward);
    });

    it.each([
      ['int32', [40, 50, 3], [1, 0, 2]],
      ['int32', [2, 3, 4, 5], [0, 2, 1, 3]],
      ['bool', [4, 5, 1], [1, 0, 2]],
      ['bool', [6, 7, 8], [2, 0, 1]],
    ] as const)('should transpose %s of shape %j by %j as cpu does', async (dtype, shape, perm) => {
      const n = (shape as readonly number[]).reduce((a, b) => a * b, 1);
      const values = Array.from({ length: n }, (_, i) => (dtype === 'bool' ? Number(i % 3 === 0) : (i * 37) % 1001));
      const { cpu: expected, webgpu: actual } = await onBoth(() =>
        tf.tidy(() => tf.transpose(onGpu(values, [...shape], dtype), [...perm])),
      );
      expect(actual).toEqual(expected);
    });

    it('should reduce a mask over a leading axis (reductions transpose inside tfjs)', async () => {
      const values = Array.from({ length: 5 * 6 * 7 }, (_, i) => Number((i * 7) % 5 < 2));
      const { cpu: expected, webgpu: actual } = await onBoth(() =>
        tf.tidy(() => tf.sum(onGpu(values, [5, 6, 7], 'int32'), 0)),
      );
      expect(actual).toEqual(expected);
    });
  });

  describe('reverse Cumsum over axes of different lengths (tfjs 4.22 caches one pipeline for all)', () => {
    it('should sum each length from its own end, whichever length ran first', async () => {
      for (const [rows, length] of [
        [3, 5],
        [4, 3],
        [2, 8],
      ] as const) {
        const values = Array.from({ length: rows * length }, (_, i) => (i * 5) % 7);
        const { cpu: expected, webgpu: actual } = await onBoth(() =>
          tf.tidy(() => tf.cumsum(tf.add(tf.tensor2d(values, [rows, length]), 0), 1, false, true)),
        );
        expect(actual).toEqual(expected);
      }
    });
  });

  describe('Pow of small operands on the CPU', () => {
    it('should round powers as cpu does, so Adam restores β^t exactly', async () => {
      const { cpu: expected, webgpu: actual } = await onBoth(() =>
        tf.tidy(() => tf.pow(tf.scalar(0.999), tf.tensor1d([1, 2, 7, 100, 1001]))),
      );
      expect(actual).toEqual(expected);
    });

    it('should leave large operands to the GPU, within float32 tolerance', async () => {
      const base = Array.from({ length: 4096 }, (_, i) => 0.5 + (i % 97) / 97);
      const { cpu: expected, webgpu: actual } = await onBoth(() =>
        tf.tidy(() => tf.pow(tf.add(tf.tensor1d(base), tf.scalar(0)), tf.scalar(3.5))),
      );
      actual.forEach((v, i) => {
        expect(Math.abs(v - (expected[i] as number))).toBeLessThanOrEqual(1e-5 * Math.abs(expected[i] as number));
      });
    });
  });
});
