import { minGru, minLstm } from '@recur/cells';
import { RecurError, Rng, scan } from '@recur/core';
import { checkLeaks, describeBackends, expectClose } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { bidirectional, minRnnBlock, minRnnStack, recurrent, stacked } from '../src/index.js';
import { maskFromRanges, randomTensor } from './helpers/oracle.js';

const tol = { rtol: 1e-5, atol: 1e-5 };
const D = 4;
const ranges = [
  [0, 5],
  [1, 4],
  [0, 2],
] as const;

/** Layer normalisation written out from Ba et al. 2016, eq. 4, in float64 per row. */
function layerNormRef(x: tf.Tensor, gain: tf.Tensor, shift: tf.Tensor): tf.Tensor {
  const rows = x.arraySync() as number[][][];
  const g = gain.arraySync() as number[];
  const s = shift.arraySync() as number[];
  const out = rows.map((r) =>
    r.map((v) => {
      const mean = v.reduce((a, b) => a + b, 0) / v.length;
      const variance = v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length;
      return v.map((vi, j) => (g[j]! * (vi - mean)) / Math.sqrt(variance + 1e-5) + s[j]!);
    }),
  );
  return tf.tensor3d(out);
}

describeBackends('minRnnBlock', () => {
  checkLeaks();

  describe('apply', () => {
    it.each(['minGru', 'minLstm'] as const)(
      'should equal x + scan(cell, LN(x)) then + MLP(LN(·)), with a mask and an initial state: %s',
      (kind) => {
        const block = minRnnBlock({ cell: kind, size: D, expansion: 2, mlpExpansion: 2, returnState: true });
        const params = tf.tidy(() => {
          const p = block.init(new Rng(1));
          // Non-trivial norms, so gain and shift are exercised.
          return { ...p, norm: { gain: randomTensor<tf.Rank.R1>([D], 11), shift: randomTensor<tf.Rank.R1>([D], 12) } };
        });
        const x = randomTensor<tf.Rank.R3>([3, 5, D], 2);
        const mask = maskFromRanges(ranges, 5);
        const h = randomTensor<tf.Rank.R2>([3, 2 * D], 3);
        const result = block.apply(params, x, { mask, initialState: { h } });
        tf.tidy(() => {
          const cell = (kind === 'minGru' ? minGru : minLstm)({ inputSize: D, units: D, expansion: 2 });
          const normed = layerNormRef(x, params.norm.gain, params.norm.shift) as tf.Tensor3D;
          const r = scan(cell, params.cell, normed, {
            mask,
            initialState: { h },
            maskedOutput: 'zeros',
            returnState: true,
          });
          const u = tf.add(x, r.outputs);
          const mlp = params.mlp!;
          const ln = layerNormRef(u, params.mlpNorm!.gain, params.mlpNorm!.shift);
          const hidden = tf.add(tf.matMul(tf.reshape(ln, [15, D]), mlp.up.kernel), mlp.up.bias!);
          // Core's gelu is the tanh form (Hendrycks & Gimpel 2016, sec. 2).
          const cubic = tf.add(hidden, tf.mul(0.044715, tf.pow(hidden, 3)));
          const gelu = tf.mul(tf.mul(hidden, 0.5), tf.add(1, tf.tanh(tf.mul(Math.sqrt(2 / Math.PI), cubic))));
          const down = tf.add(tf.matMul(gelu, mlp.down.kernel), mlp.down.bias!);
          expectClose(result.output, tf.add(u, tf.reshape(down, [3, 5, D])), tol);
          expectClose(result.state!.h, r.state!.h, tol);
          expectClose(result.mask!, mask);
        });
        tf.dispose([params, x, mask, h, result] as tf.TensorContainer[]);
      },
    );

    it('should give the same output whole as in two halves with the state handed on (streaming)', () => {
      const stack = minRnnStack({ cell: 'minGru', size: D, depth: 2, parallel: 'log', returnState: true });
      const params = stack.init(new Rng(4));
      const x = randomTensor<tf.Rank.R3>([2, 6, D], 5);
      const whole = stack.apply(params, x);
      const [a, b] = tf.split(x, [4, 2], 1) as [tf.Tensor3D, tf.Tensor3D];
      const first = stack.apply(params, a);
      const second = stack.apply(params, b, { initialState: first.state! });
      const joined = tf.concat([first.output, second.output], 1);
      expectClose(whole.output, joined, tol);
      expectClose(whole.state![1]!.h, second.state![1]!.h, tol);
      tf.dispose([params, x, whole, a, b, first, second, joined] as tf.TensorContainer[]);
    });

    it('should leave the feed-forward out when mlpExpansion is 0', () => {
      const block = minRnnBlock({ cell: 'minLstm', size: D, mlpExpansion: 0 });
      const params = block.init(new Rng(1));
      expect(Object.keys(params).sort()).toEqual(['cell', 'norm']);
      tf.dispose(params as unknown as tf.TensorContainer);
    });
  });

  describe('errors', () => {
    it.each([
      [{ cell: 'gru', size: 4 }, /^minRnnBlock config\.cell: expected 'minGru' or 'minLstm'/],
      [{ cell: 'minGru', size: 0 }, /^minRnnBlock config\.size: expected a positive integer/],
      [{ cell: 'minGru', size: 4, mlpExpansion: -1 }, /^minRnnBlock config\.mlpExpansion: expected a non-negative/],
      [{ cell: 'minGru', size: 4, epsilon: 0 }, /^minRnnBlock config\.epsilon: expected a positive finite number/],
      [{ cell: 'minGru', size: 4, expansion: 0.1 }, /^minGru config\.expansion/],
      [{ cell: 'minGru', size: 4, heads: 2 }, /heads/],
    ])('should reject a bad config with RecurError BAD_CONFIG: %o', (config, message) => {
      let error: unknown;
      try {
        minRnnBlock(config as never);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(RecurError);
      expect((error as RecurError).code).toBe('BAD_CONFIG');
      expect((error as RecurError).message).toMatch(message);
    });

    it('should name a missing feed-forward param before running', () => {
      const block = minRnnBlock({ cell: 'minGru', size: D });
      const params = block.init(new Rng(1));
      const x = tf.zeros([1, 2, D]) as tf.Tensor3D;
      expect(() => block.apply({ norm: params.norm, cell: params.cell }, x)).toThrow(/^params\.mlpNorm\.gain/);
      const narrow = tf.zeros([1, 2, 3]) as tf.Tensor3D;
      expect(() => block.apply(params, narrow)).toThrow(RecurError);
      tf.dispose([params, x, narrow] as tf.TensorContainer[]);
    });
  });
});

describeBackends('min-RNN cells in the layers', () => {
  checkLeaks();

  it('should run bidirectional(recurrent(minLstm)) as a forward scan and a backward scan, masked', () => {
    const cell = minLstm({ inputSize: 3, units: D, expansion: 2 });
    const layer = bidirectional(recurrent(cell, { returnSequences: true }));
    const params = layer.init(new Rng(1));
    const x = randomTensor<tf.Rank.R3>([3, 5, 3], 2);
    const mask = maskFromRanges(ranges, 5);
    const result = layer.apply(params, x, { mask });
    const f = scan(cell, params.forward, x, { mask, maskedOutput: 'zeros' });
    const b = scan(cell, params.backward, x, { mask, maskedOutput: 'zeros', reverse: true, keepOrder: true });
    const both = tf.concat([f.outputs, b.outputs], -1);
    expectClose(result.output as tf.Tensor, both, tol);
    tf.dispose([params, x, mask, result, f, b, both] as tf.TensorContainer[]);
  });

  it('should run stacked(recurrent(minGru), recurrent(minLstm)) as two scans by hand', () => {
    const first = minGru({ inputSize: 3, units: D, parallel: 'log' });
    const second = minLstm({ inputSize: D, units: 2 });
    const layer = stacked([recurrent(first, { returnSequences: true }), recurrent(second)]);
    const params = layer.init(new Rng(3));
    const x = randomTensor<tf.Rank.R3>([3, 5, 3], 4);
    const mask = maskFromRanges(ranges, 5);
    const result = layer.apply(params, x, { mask });
    tf.tidy(() => {
      const hidden = scan(first, params[0], x, { mask }).outputs;
      const last = scan(second, params[1], hidden as tf.Tensor3D, { mask, returnSequences: false }).outputs;
      expectClose(result.output, last, tol);
    });
    tf.dispose([params, x, mask, result] as tf.TensorContainer[]);
  });
});
