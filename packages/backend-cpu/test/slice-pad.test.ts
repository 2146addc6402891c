import { cpuWith } from '@recur/backend-cpu';
import { useBackend } from '@recur/core';
import { checkLeaks } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { stockKernel } from '../src/kernels/in-front.js';
import { bothWays } from './stock-kernels.js';

const DTYPES = ['float32', 'int32', 'bool'] as const;

/** A tensor of `shape` whose every element differs (bool: alternating), of `dtype`. */
function numbered(shape: number[], dtype: (typeof DTYPES)[number]): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const values = Array.from({ length: size }, (_, i) => (dtype === 'bool' ? i % 3 === 0 : i * 1.25 - 7));
  return dtype === 'bool' ? tf.tensor(values as boolean[], shape, 'bool') : tf.tensor(values as number[], shape, dtype);
}

const shape = fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 4 });

/** A shape and a box inside it: its start and size along each axis. */
const box = shape.chain((s) =>
  fc
    .tuple(
      ...s.map((n) =>
        fc.integer({ min: 0, max: n - 1 }).chain((b) => fc.tuple(fc.constant(b), fc.integer({ min: 1, max: n - b }))),
      ),
    )
    .map((axes) => ({ shape: s, begin: axes.map(([b]) => b), size: axes.map(([, n]) => n) })),
);

describe("cpu Slice and PadV2 (Recur's copies in front of tfjs')", () => {
  checkLeaks();
  beforeAll(() => useBackend(cpuWith({ threads: 1 })));

  it('should be in front of tfjs’ own kernels', () => {
    expect(stockKernel(tf.Slice)?.kernelFunc).not.toBe(tf.getKernel(tf.Slice, 'cpu')?.kernelFunc);
    expect(stockKernel(tf.PadV2)?.kernelFunc).not.toBe(tf.getKernel(tf.PadV2, 'cpu')?.kernelFunc);
  });

  it('should slice as tfjs does, bit for bit, any box of rank 1 to 4, every numeric dtype', () => {
    fc.assert(
      fc.property(box, fc.constantFrom(...DTYPES), ({ shape, begin, size }, dtype) => {
        const [recur, stock] = bothWays([tf.Slice], () => tf.slice(numbered(shape, dtype), begin, size));
        expect(recur).toEqual(stock);
      }),
      { numRuns: 200 },
    );
  });

  it('should pad as tfjs does, bit for bit, with zeros or another constant', () => {
    const paddings = (rank: number) => fc.array(fc.tuple(fc.nat(3), fc.nat(3)), { minLength: rank, maxLength: rank });
    fc.assert(
      fc.property(
        shape.chain((s) => fc.tuple(fc.constant(s), paddings(s.length))),
        fc.constantFrom(...DTYPES),
        fc.constantFrom(0, 1, -2.5),
        ([s, pads], dtype, constant) => {
          const value = dtype === 'float32' ? constant : Math.abs(Math.trunc(constant)) % 2;
          const [recur, stock] = bothWays([tf.PadV2], () => tf.pad(numbered(s, dtype), pads, value));
          expect(recur).toEqual(stock);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("should take a many-to-one model's last step and pad its gradient back", () => {
    const ys = numbered([4, 64, 256], 'float32');
    const [recur, stock] = bothWays([tf.Slice, tf.PadV2], () =>
      tf.pad(tf.slice(ys, [0, 63, 0], [4, 1, 256]), [
        [0, 0],
        [63, 0],
        [0, 0],
      ]),
    );
    ys.dispose();
    expect(recur).toEqual(stock);
  });
});
