import { checkLeaks } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll } from 'vitest';

/**
 * Leak checks for a describe block. Most of @recur/datasets makes no tensors; the check
 * proves it. The cpu backend (registered by @recur/test-utils) backs `tf.memory()`.
 */
export function useLeakChecks(): void {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  checkLeaks();
}

/** Runs `fn` and returns what it threw (failing when it does not throw). */
export async function caught(fn: () => unknown): Promise<Error & { code?: string }> {
  try {
    await fn();
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected a throw, none came');
}
