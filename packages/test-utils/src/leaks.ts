import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeEach, expect } from 'vitest';

/**
 * Registers hooks that fail any test leaving more tensors alive than it found.
 * Call at the top of a test file (or inside a describe block).
 */
export function checkLeaks(): void {
  let before = 0;
  beforeEach(() => {
    before = tf.memory().numTensors;
  });
  afterEach(() => {
    const after = tf.memory().numTensors;
    expect(after - before, `tensors leaked by this test: ${after - before}`).toBe(0);
  });
}

/** Runs `fn` and returns its result, asserting it left no new tensor behind. */
export async function expectNoLeak<T>(fn: () => T | Promise<T>): Promise<T> {
  const before = tf.memory().numTensors;
  const result = await fn();
  expect(tf.memory().numTensors - before, 'tensors leaked').toBe(0);
  return result;
}
