import { RecurError, type RecurErrorCode } from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';
import { expect, vi } from 'vitest';

/**
 * Asserts `fn` throws a `RecurError` with `code` whose message contains every one of
 * `parts` (the argument's name, the expected and the received shape), and that no tfjs
 * kernel ran and no tensor was left behind before it threw.
 */
export function expectRecurError(fn: () => unknown, code: RecurErrorCode, parts: readonly string[]): void {
  const before = tf.memory().numTensors;
  const kernels = vi.spyOn(tf.engine(), 'runKernel');
  let thrown: unknown;
  let ran: string[] = [];
  try {
    fn();
  } catch (error) {
    thrown = error;
  } finally {
    ran = kernels.mock.calls.map((call) => call[0]);
    kernels.mockRestore();
  }
  expect(thrown, 'expected a RecurError').toBeInstanceOf(RecurError);
  const error = thrown as RecurError;
  expect(error.code).toBe(code);
  for (const part of parts) expect(error.message).toContain(part);
  expect(ran, `tfjs kernels ran before the error: ${error.message}`).toEqual([]);
  expect(tf.memory().numTensors - before, 'tensors left behind').toBe(0);
}
