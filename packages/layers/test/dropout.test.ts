import { lstm } from '@recur/cells';
import { type Cell, Rng } from '@recur/core';
import { checkLeaks, describeBackends, expectClose } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { dropout, recurrent } from '../src/index.js';
import { randomTensor } from './helpers/oracle.js';

type ProbeCarry = { readonly h: tf.Tensor2D; readonly c: tf.Tensor2D };

/**
 * A cell that shows what it is given: y = [x, h, c] (the input and the carry as the step
 * sees them). Its next carry is all ones (`'ones'`) or the carry plus one (`'count'`).
 */
function probe(inputSize: number, units: number, next: 'ones' | 'count'): Cell<ProbeCarry, Record<string, never>> {
  return {
    kind: 'probe',
    config: {},
    inputSize,
    outputSize: inputSize + 2 * units,
    init: () => ({}),
    initCarry: (batch) => ({ h: tf.zeros([batch, units]), c: tf.zeros([batch, units]) }),
    step: (_params, carry, x) =>
      tf.tidy(() => {
        const bump = (t: tf.Tensor2D) => (next === 'ones' ? tf.onesLike(t) : tf.add(t, 1)) as tf.Tensor2D;
        return { carry: { h: bump(carry.h), c: bump(carry.c) }, y: tf.concat([x, carry.h, carry.c], 1) };
      }),
  };
}

const values = (t: tf.Tensor) => Array.from(t.dataSync());
/** `[batch, time, features]` → per step, the flat `[batch, from:to]` values. */
function steps(y: tf.Tensor, from: number, to: number): number[][] {
  const [, time] = y.shape as [number, number, number];
  return tf.tidy(() => Array.from({ length: time }, (_, t) => values(tf.slice(y, [0, t, from], [-1, 1, to - from]))));
}

describeBackends('dropout', () => {
  checkLeaks();

  describe('dropout layer', () => {
    it('should pass the input through bit for bit when not training', () => {
      const x = randomTensor([4, 5, 6], 1);
      for (const options of [{}, { training: false }, { training: false, rng: new Rng(1) }]) {
        const { output } = dropout(0.5).apply({}, x, options);
        expect(values(output)).toEqual(values(x));
        output.dispose();
      }
      x.dispose();
    });

    it('should zero about `rate` of the elements and scale the rest by 1 / (1 − rate) when training', () => {
      const x = tf.ones([100, 100]);
      const { output } = dropout(0.3).apply({}, x, { training: true, rng: new Rng(7) });
      const v = values(output);
      expect(v.every((e) => e === 0 || Math.abs(e - 1 / 0.7) < 1e-6)).toBe(true);
      expect(Math.abs(v.filter((e) => e === 0).length / v.length - 0.3)).toBeLessThan(0.03);
      tf.dispose([x, output]);
    });

    it('should draw the same mask from the same seed and another from another seed', () => {
      const x = tf.ones([8, 16]);
      const run = (seed: number) => {
        const { output } = dropout(0.5).apply({}, x, { training: true, rng: new Rng(seed) });
        const v = values(output);
        output.dispose();
        return v;
      };
      expect(run(3)).toEqual(run(3));
      expect(run(3)).not.toEqual(run(4));
      x.dispose();
    });
  });

  describe('recurrent', () => {
    it('should compute exactly what it computes without dropout when not training', () => {
      const cell = lstm({ inputSize: 3, units: 4 });
      const params = cell.init(new Rng(1));
      const x = randomTensor<tf.Rank.R3>([5, 6, 3], 2);
      const plain = recurrent(cell, { returnSequences: true }).apply(params, x).output;
      const regularized = recurrent(cell, { returnSequences: true, dropout: 0.3, recurrentDropout: 0.4 });
      for (const options of [{}, { training: false, rng: new Rng(5) }]) {
        const { output } = regularized.apply(params, x, options);
        expect(values(output)).toEqual(values(plain));
        output.dispose();
      }
      tf.dispose([params, x, plain]);
    });

    it('should drop the same input features at every step of a sequence (one mask per sequence)', () => {
      const layer = recurrent(probe(6, 2, 'ones'), { returnSequences: true, dropout: 0.5 });
      const x = tf.ones([4, 5, 6]) as tf.Tensor3D;
      const { output } = layer.apply({}, x, { training: true, rng: new Rng(11) });
      const seen = steps(output, 0, 6);
      for (const step of seen) expect(step).toEqual(seen[0]);
      expect(new Set(seen[0])).toEqual(new Set([0, 2]));
      tf.dispose([x, output]);
    });

    it('should drop h_{t−1} with the same mask at every step, and never drop the LSTM cell state c', () => {
      const layer = recurrent(probe(1, 8, 'ones'), { returnSequences: true, recurrentDropout: 0.5 });
      const x = tf.ones([4, 6, 1]) as tf.Tensor3D;
      const { output } = layer.apply({}, x, { training: true, rng: new Rng(12) });
      const h = steps(output, 1, 9);
      const c = steps(output, 9, 17);
      expect(h[0]?.every((e) => e === 0)).toBe(true);
      for (const step of h.slice(2)) expect(step).toEqual(h[1]);
      expect(new Set(h[1])).toEqual(new Set([0, 2]));
      for (const step of c.slice(1)) expect(step.every((e) => e === 1)).toBe(true);
      tf.dispose([x, output]);
    });

    it('should let each carry element keep its previous value with probability zoneout while training', () => {
      const layer = recurrent(probe(1, 50, 'count'), { returnSequences: true, zoneout: 0.25 });
      const x = tf.ones([8, 11, 1]) as tf.Tensor3D;
      const { output } = layer.apply({}, x, { training: true, rng: new Rng(13) });
      const seen = steps(output, 1, 101);
      const increments = seen.slice(1).flatMap((step, t) => step.map((e, i) => e - (seen[t]?.[i] as number)));
      expect(new Set(increments)).toEqual(new Set([0, 1]));
      const kept = increments.filter((d) => d === 0).length / increments.length;
      expect(Math.abs(kept - 0.25)).toBeLessThan(0.03);
      tf.dispose([x, output]);
    });

    it('should use the zoneout expectation z·s_{t−1} + (1 − z)·s̃_t outside training', () => {
      const layer = recurrent(probe(1, 3, 'count'), { returnSequences: true, zoneout: 0.25 });
      const x = tf.ones([2, 5, 1]) as tf.Tensor3D;
      const { output } = layer.apply({}, x);
      steps(output, 1, 7).forEach((step, t) => {
        expectClose(
          step,
          step.map(() => 0.75 * t),
          { atol: 1e-6 },
        );
      });
      tf.dispose([x, output]);
    });

    it('should reproduce every mask from the same seed, differ with another, and stay differentiable', () => {
      const cell = lstm({ inputSize: 3, units: 4 });
      const layer = recurrent(cell, { returnSequences: true, dropout: 0.2, recurrentDropout: 0.3, zoneout: 0.1 });
      const params = cell.init(new Rng(1));
      const x = randomTensor<tf.Rank.R3>([5, 6, 3], 2);
      const run = (seed: number) =>
        tf.tidy(() => values(layer.apply(params, x, { training: true, rng: new Rng(seed) }).output));
      expect(run(21)).toEqual(run(21));
      expect(run(21)).not.toEqual(run(22));
      tf.tidy(() => {
        const [g] = tf.grads((k: tf.Tensor) =>
          tf.sum(layer.apply({ ...params, kernel: k as tf.Tensor2D }, x, { training: true, rng: new Rng(23) }).output),
        )([params.kernel]);
        const v = values(g as tf.Tensor);
        expect(v.every(Number.isFinite)).toBe(true);
        expect(v.some((e) => e !== 0)).toBe(true);
      });
      tf.dispose([params, x]);
    });
  });
});
