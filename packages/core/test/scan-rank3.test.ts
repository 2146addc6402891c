import { type Carry, RecurError, Rng, scan } from '@recur/core';
import { checkLeaks, describeBackends, expectClose, matrixMemoryCell } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { randn, release } from './scan-cells.js';

const I = 3;
const D = 4;
const tol = { rtol: 1e-5, atol: 1e-6 };
const cell = matrixMemoryCell(I, D);

/** One row of `carry` (`[1, ...]`), any rank. The caller owns it. */
const rowOf = (carry: Carry, b: number): Carry =>
  Object.fromEntries(Object.entries(carry).map(([k, v]) => [k, tf.slice(v, b, 1)]));

describeBackends('scan with a rank-3 carry (a cell with only step)', () => {
  checkLeaks();
  const mask = [
    [0, 1, 1, 0, 1],
    [1, 1, 0, 0, 0],
    [0, 0, 0, 0, 0],
  ];

  describe.each([
    ['forward', false, 'previous'],
    ['reverse', true, 'previous'],
    ['reverse', true, 'zeros'],
  ] as const)('%s (reverse %s), maskedOutput %s', (_label, reverse, maskedOutput) => {
    it('should equal stepping each row by hand over its real steps, from its initial state', () => {
      const rng = new Rng(3);
      const params = cell.init(rng);
      const xs = randn([3, 5, I], rng) as tf.Tensor3D;
      const initialState = { C: randn([3, D, D], rng, 0.5), h: randn([3, D], rng, 0.5) } as Carry;
      const m = tf.tensor2d(mask);
      const result = scan(cell, params, xs, { mask: m, reverse, keepOrder: true, maskedOutput, initialState });
      expect(result.state?.C?.shape).toEqual([3, D, D]);
      const outputs = result.outputs.arraySync() as number[][][];
      tf.tidy(() =>
        mask.forEach((row, b) => {
          const order = [0, 1, 2, 3, 4].map((s) => (reverse ? 4 - s : s));
          let carry = rowOf(initialState, b);
          let last = (tf.slice(initialState.h as tf.Tensor, b, 1).arraySync() as number[][])[0] as number[];
          for (const t of order) {
            if (row[t] === 1) {
              const x = tf.reshape(tf.slice(xs, [b, t, 0], [1, 1, I]), [1, I]) as tf.Tensor2D;
              const out = cell.step(params, carry as never, x);
              carry = out.carry;
              last = (out.y.arraySync() as number[][])[0] as number[];
            }
            const expected = row[t] === 1 || maskedOutput === 'previous' ? last : new Array<number>(D).fill(0);
            expectClose(outputs[b]?.[t] as number[], expected, tol);
          }
          for (const key of ['C', 'h']) {
            const mine = tf.slice(result.state?.[key] as tf.Tensor, b, 1);
            expectClose(mine, carry[key] as tf.Tensor, tol);
          }
        }),
      );
      release(params, xs, initialState, m, result);
    });
  });

  it('should equal one run when run statefully in two halves', () => {
    const rng = new Rng(4);
    const params = cell.init(rng);
    const xs = randn([2, 6, I], rng) as tf.Tensor3D;
    const whole = scan(cell, params, xs);
    const [first, second] = tf.split(xs, [2, 4], 1) as tf.Tensor3D[];
    const a = scan(cell, params, first as tf.Tensor3D);
    const b = scan(cell, params, second as tf.Tensor3D, { initialState: a.state });
    expectClose(b.state?.C as tf.Tensor, whole.state?.C as tf.Tensor, tol);
    const joined = tf.concat([a.outputs, b.outputs], 1);
    expectClose(joined, whole.outputs, tol);
    release(params, xs, whole, first, second, a, b, joined);
  });

  it('should differentiate through the rank-3 initial state', () => {
    const rng = new Rng(5);
    const params = cell.init(rng);
    const xs = randn([2, 3, I], rng) as tf.Tensor3D;
    const C0 = randn([2, D, D], rng, 0.5);
    const h0 = tf.zeros([2, D]);
    const g = tf.grad((c: tf.Tensor) => tf.sum(scan(cell, params, xs, { initialState: { C: c, h: h0 } }).outputs))(C0);
    expect(g.shape).toEqual([2, D, D]);
    expect(tf.tidy(() => tf.sum(tf.abs(g)).dataSync()[0])).toBeGreaterThan(0);
    release(params, xs, C0, h0, g);
  });

  it("should call the cell's checkParams once per run, whatever the length", () => {
    let calls = 0;
    const counting = {
      ...cell,
      checkParams: (p: Parameters<typeof cell.step>[0]) => {
        calls++;
        cell.checkParams?.(p);
      },
    };
    const rng = new Rng(8);
    const params = cell.init(rng);
    const xs = randn([2, 7, I], rng) as tf.Tensor3D;
    release(scan(counting, params, xs));
    expect(calls).toBe(1);
    release(params, xs);
  });

  describe('with bad arguments', () => {
    it('should compare the full shape of every initialState entry', () => {
      const rng = new Rng(6);
      const params = cell.init(rng);
      const xs = randn([2, 3, I], rng) as tf.Tensor3D;
      const C = tf.zeros([2, D, D - 1]);
      const h = tf.zeros([2, D]);
      expect(() => scan(cell, params, xs, { initialState: { C, h } })).toThrow(
        /^options\.initialState\.C: expected a float32 tensor of shape \[2, 4, 4\] \(carry \{ C: \[2, 4, 4\], h: \[2, 4\] \}\), received a float32 tensor of shape \[2, 4, 3\]$/,
      );
      release(params, xs, C, h);
    });

    it.each([
      ['xs', /^xs: expected a rank-3 tensor \[batch, time, 3\], received a disposed tensor of shape \[2, 3, 3\]$/],
      [
        'options.mask',
        /^options\.mask: expected a tensor of shape \[2, 3\].*received a disposed tensor of shape \[2, 3\]$/,
      ],
      ['params.keyKernel', /^params\.keyKernel: expected a tensor, received a disposed tensor of shape \[3, 4\]$/],
      [
        'options.initialState.C',
        /^options\.initialState\.C: expected a float32 tensor of shape \[2, 4, 4\].*received a disposed tensor of shape \[2, 4, 4\]$/,
      ],
    ])('should name a disposed tensor: %s', (argument, message) => {
      const rng = new Rng(7);
      const params = cell.init(rng);
      const xs = randn([2, 3, I], rng) as tf.Tensor3D;
      const mask = tf.ones([2, 3]) as tf.Tensor2D;
      const initialState = cell.initCarry(2);
      const gone = {
        xs,
        'options.mask': mask,
        'params.keyKernel': params.keyKernel,
        'options.initialState.C': initialState.C,
      }[argument] as tf.Tensor;
      gone.dispose();
      let error: unknown;
      try {
        scan(cell, params, xs, { mask, initialState });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(RecurError);
      expect((error as RecurError).code).toBe('BAD_DATA');
      expect((error as RecurError).message).toMatch(message);
      release(params, xs, mask, initialState);
    });
  });
});
