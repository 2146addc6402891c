import '@recur/core';
import { checkLeaks, describeBackends, expectClose } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { lazyGradients } from '../src/kernels/lazy-gradients.js';

const D = { inputs: ['x', 'kernel', 'bias', 'mask'], differentiable: ['x', 'kernel', 'bias'] } as const;

/** A backward that records what it was asked to skip; input k's gradient is filled with k + 1 (0 where skipped). */
function recorder() {
  const calls: (readonly string[])[] = [];
  const backward = (skip: readonly string[]) => {
    calls.push(skip);
    return D.differentiable.map((name, k) => tf.fill([2], skip.includes(name) ? 0 : k + 1));
  };
  return { calls, backward };
}

describeBackends('lazyGradients', () => {
  checkLeaks();
  const given = () => Object.fromEntries(D.inputs.map((name) => [name, tf.zeros([2])]));

  it('runs the backward once, at the first question, skipping the inputs tfjs passed over', () => {
    const inputs = given();
    const { calls, backward } = recorder();
    tf.tidy(() => {
      const grads = lazyGradients(D, inputs, backward);
      expect(calls).toEqual([]);
      // tfjs' order: `name in grads`, then `grads[name]()`, input by input.
      expect('kernel' in grads).toBe(true);
      expectClose(
        tf.tidy(() => (grads.kernel as () => tf.Tensor)()),
        [2, 2],
      );
      expect('bias' in grads).toBe(true);
      expectClose(
        tf.tidy(() => (grads.bias as () => tf.Tensor)()),
        [3, 3],
      );
    });
    expect(calls).toEqual([['x']]);
    tf.dispose(Object.values(inputs));
  });

  it('skips nothing when the first input is asked for', () => {
    const inputs = given();
    const { calls, backward } = recorder();
    tf.tidy(() => {
      const grads = lazyGradients(D, inputs, backward);
      expect('x' in grads).toBe(true);
      expectClose(
        tf.tidy(() => (grads.x as () => tf.Tensor)()),
        [1, 1],
      );
      expect('kernel' in grads).toBe(true);
    });
    expect(calls).toEqual([[]]);
    tf.dispose(Object.values(inputs));
  });

  it("gives a passed-over input's gradient in full, from a second backward, when asked after all", () => {
    const inputs = given();
    const { calls, backward } = recorder();
    tf.tidy(() => {
      const grads = lazyGradients(D, inputs, backward);
      expect('bias' in grads).toBe(true);
      expectClose(
        tf.tidy(() => (grads.x as () => tf.Tensor)()),
        [1, 1],
      );
      expectClose(
        tf.tidy(() => (grads.kernel as () => tf.Tensor)()),
        [2, 2],
      );
      expectClose(
        tf.tidy(() => (grads.bias as () => tf.Tensor)()),
        [3, 3],
      );
    });
    expect(calls).toEqual([['x', 'kernel'], [], []]);
    tf.dispose(Object.values(inputs));
  });

  it('runs the backward in full for a gradient asked for without the question, and zeros for the mask', () => {
    const inputs = given();
    const { calls, backward } = recorder();
    tf.tidy(() => {
      const grads = lazyGradients(D, inputs, backward);
      expect('mask' in grads).toBe(true);
      expectClose(
        tf.tidy(() => (grads.mask as () => tf.Tensor)()),
        [0, 0],
      );
      expect(calls).toEqual([]);
      expectClose(
        tf.tidy(() => (grads.kernel as () => tf.Tensor)()),
        [2, 2],
      );
      expect('nothing' in grads).toBe(false);
    });
    expect(calls).toEqual([[]]);
    tf.dispose(Object.values(inputs));
  });
});
