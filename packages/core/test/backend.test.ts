import { activeBackend, type BackendPlugin, RecurError, useBackend } from '@recur/core';
import { backendMatrix } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

describe('useBackend', () => {
  it.each(backendMatrix().map((b) => [b.name, b] as const))(
    'should activate exactly %s and report it by name',
    async (name, plugin) => {
      await useBackend(plugin);
      expect(tf.getBackend()).toBe(name);
      expect(activeBackend()).toBe(plugin);
      expect(plugin.capabilities().environments).toContain('node');
      const y = tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(2)).dataSync()[0]);
      expect(y).toBe(3);
    },
  );

  it('should refuse something that is not a plug-in, naming the argument', async () => {
    await expect(useBackend({ name: 'cpu' } as never)).rejects.toThrow(
      /useBackend\(plugin\): expected a BackendPlugin .*received \{"name":"cpu"\}/,
    );
    await expect(useBackend(undefined as never)).rejects.toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
  });

  it('should refuse an unknown backend and keep the active one', async () => {
    const [first] = backendMatrix();
    await useBackend(first as BackendPlugin);
    const ghost: BackendPlugin = {
      name: 'no-such-backend',
      setup() {},
      capabilities: () => ({ fusedKernels: [], environments: ['node'], exactFloat32: true, details: {} }),
    };
    const error = await useBackend(ghost).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RecurError);
    expect((error as RecurError).code).toBe('BACKEND_UNAVAILABLE');
    expect((error as RecurError).message).toMatch(/registered no tfjs backend called 'no-such-backend'/);
    expect(tf.getBackend()).toBe(first?.name);
  });

  it('should report the cause when setup throws', async () => {
    const broken: BackendPlugin = {
      name: 'broken-setup',
      setup() {
        throw new Error('driver missing');
      },
      capabilities: () => ({ fusedKernels: [], environments: ['node'], exactFloat32: true, details: {} }),
    };
    const error = (await useBackend(broken).catch((e: unknown) => e)) as RecurError;
    expect(error.code).toBe('BACKEND_UNAVAILABLE');
    expect(error.message).toMatch(/failed to set up: driver missing/);
    expect((error.cause as Error).message).toBe('driver missing');
  });

  it('should not fall back silently when the tfjs backend fails to initialise', async () => {
    const [first] = backendMatrix();
    await useBackend(first as BackendPlugin);
    tf.registerBackend('recur-test-failing', () => {
      throw new Error('no adapter found');
    });
    const failing: BackendPlugin = {
      name: 'recur-test-failing',
      setup() {},
      capabilities: () => ({ fusedKernels: [], environments: ['node'], exactFloat32: true, details: {} }),
    };
    const error = (await useBackend(failing).catch((e: unknown) => e)) as RecurError;
    expect(error.code).toBe('BACKEND_UNAVAILABLE');
    expect(error.message).toMatch(/'recur-test-failing' failed to start: .*no adapter found/);
    expect(tf.getBackend()).toBe(first?.name);
    tf.removeBackend('recur-test-failing');
  });
});
