import { RecurError } from '@recur/core';
import { checkLeaks, describeBackends, expectClose } from '@recur/test-utils';
import { clipGradients, globalNorm, schedule } from '@recur/train';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

describe('schedule', () => {
  it('should give step decay at chosen steps', () => {
    const s = schedule({ kind: 'step', rate: 0.1, every: 10, factor: 0.5 });
    expect([0, 9, 10, 25].map(s)).toEqual([0.1, 0.1, 0.05, 0.025]);
  });

  it('should give exponential decay, smooth and staircase', () => {
    const smooth = schedule({ kind: 'exponential', rate: 1, decaySteps: 10, decayRate: 0.5 });
    expect(smooth(5)).toBeCloseTo(Math.SQRT1_2);
    expect(smooth(20)).toBeCloseTo(0.25);
    const stairs = schedule({ kind: 'exponential', rate: 1, decaySteps: 10, decayRate: 0.5, staircase: true });
    expect(stairs(15)).toBe(0.5);
  });

  it('should give cosine decay from rate to minRate and stay there', () => {
    const s = schedule({ kind: 'cosine', rate: 1, decaySteps: 100, minRate: 0.1 });
    expect(s(0)).toBeCloseTo(1);
    expect(s(50)).toBeCloseTo(0.55);
    expect(s(100)).toBeCloseTo(0.1);
    expect(s(1000)).toBeCloseTo(0.1);
  });

  it('should warm up linearly, then follow the wrapped schedule', () => {
    const s = schedule({ kind: 'warmup', warmupSteps: 4, after: { kind: 'step', rate: 0.2, every: 2, factor: 0.1 } });
    expect([0, 1, 2, 3].map(s)).toEqual([0.05, 0.1, 0.15000000000000002, 0.2]);
    expect(s(4)).toBeCloseTo(0.2);
    expect(s(6)).toBeCloseTo(0.02);
  });

  it('should refuse bad configs naming the field', () => {
    expect(() => schedule({ kind: 'step', rate: 0.1, every: 0, factor: 0.5 })).toThrow(
      /schedule.every: expected a positive integer, received 0/,
    );
    expect(() => schedule({ kind: 'linear' } as never)).toThrow(RecurError);
  });
});

describeBackends('clipGradients', () => {
  checkLeaks();

  it('should cap the global norm and keep the direction', () => {
    const grads = { a: tf.tensor1d([3, 0]), b: tf.tensor1d([0, 4]) };
    expect(globalNorm(grads)).toBeCloseTo(5);
    const { grads: clipped, norm } = clipGradients(grads, { globalNorm: 1 });
    expect(norm).toBeCloseTo(5);
    expect(globalNorm(clipped)).toBeCloseTo(1, 5);
    expectClose(clipped.a as tf.Tensor, [0.6, 0]);
    expectClose(clipped.b as tf.Tensor, [0, 0.8]);
    tf.dispose([...Object.values(grads), ...Object.values(clipped)]);
  });

  it('should give the norm tfjs ops gave (√ of addN of Σ square), bit for bit on cpu', () => {
    const grads = tf.tidy(() => ({
      kernel: tf.mul(
        tf.randomUniform([16, 128], -1, 1, 'float32', 1),
        tf.exp(tf.randomUniform([16, 128], -9, 3, 'float32', 2)),
      ),
      recurrentKernel: tf.randomUniform([32, 128], -0.1, 0.1, 'float32', 3),
      bias: tf.randomUniform([127], -1e-3, 1e-3, 'float32', 4),
      head: tf.randomUniform([32, 16], -2, 2, 'float32', 5),
    }));
    const former = tf.tidy(() => tf.sqrt(tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g))))));
    const expected = former.dataSync()[0] as number;
    if (tf.getBackend() === 'cpu') expect(globalNorm(grads)).toBe(expected);
    expectClose(globalNorm(grads), expected, { rtol: 1e-6, atol: 0 });
    expect(globalNorm({})).toBe(0);
    tf.dispose([former, ...Object.values(grads)]);
  });

  it('should leave small gradients alone and clip by value', () => {
    const grads = { a: tf.tensor1d([0.1, -0.2]), b: tf.tensor1d([5, -7]) };
    const small = clipGradients({ a: grads.a }, { globalNorm: 10 });
    expectClose(small.grads.a as tf.Tensor, [0.1, -0.2]);
    const byValue = clipGradients(grads, { value: 1 });
    expectClose(byValue.grads.b as tf.Tensor, [1, -1]);
    tf.dispose([...Object.values(grads), ...Object.values(small.grads), ...Object.values(byValue.grads)]);
  });
});
