import { wasm } from '@recur/backend-wasm';
import { useBackend } from '@recur/core';
import { checkLeaks } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';

/** Blocks of tfjs' heap in use (one per memory block, however many tensors share it). */
const blocks = () => tf.engine().backend.numDataIds();

describe('wasm Identity (tfjs clones, as Engine.clone makes for every saved tensor)', () => {
  checkLeaks();

  beforeAll(async () => {
    await useBackend(wasm);
  });

  it('should share its input memory, freeing it only with the last tensor that holds it', () => {
    const x = tf.tensor2d([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const before = blocks();
    const copy = tf.clone(x);
    expect(copy.dataId).toBe(x.dataId);
    expect(blocks()).toBe(before);
    x.dispose();
    expect(Array.from(copy.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
    expect(copy.shape).toEqual([2, 3]);
    copy.dispose();
    expect(blocks()).toBe(before - 1);
  });

  it('should keep a clone unchanged when a variable it came from is assigned', () => {
    const initial = tf.tensor1d([1, 2, 3]);
    const v = tf.variable(initial);
    const saved = tf.clone(v);
    const next = tf.tensor1d([7, 8, 9]);
    v.assign(next);
    expect(Array.from(saved.dataSync())).toEqual([1, 2, 3]);
    expect(Array.from(v.dataSync())).toEqual([7, 8, 9]);
    tf.dispose([initial, v, saved, next]);
  });

  it('should give the gradients it gave when it copied (a kernel that saves its inputs, twice over)', () => {
    const x = tf.tensor1d([0.5, -1, 2]);
    const grad = tf.tidy(() => tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.exp(a), tf.square(a))))(x));
    const expected = [0.5, -1, 2].map((a) => Math.exp(a) * (a * a + 2 * a));
    Array.from(grad.dataSync()).forEach((g, i) => {
      expect(g).toBeCloseTo(expected[i] as number, 5);
    });
    tf.dispose([x, grad]);
  });

  it('should keep copying string tensors (tfjs keeps them outside the heap)', () => {
    const s = tf.tensor1d(['a', 'bc'], 'string');
    const copy = tf.clone(s);
    expect(copy.dataSync()).toEqual(['a', 'bc']);
    tf.dispose([s, copy]);
  });
});
