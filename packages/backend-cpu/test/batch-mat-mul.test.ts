import { cpuWith } from '@recur/backend-cpu';
import { RecurError, Rng, useBackend } from '@recur/core';
import { checkLeaks, describeMatMul, expectClose, matMulCase } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { installMatMul, stockMatMul } from '../src/kernels/batch-mat-mul.js';
import type { CpuThreadPool } from '../src/threads/cpu-pool.js';
import { cpuPools } from '../src/threads/split-rows.js';
import { bothWays } from './stock-kernels.js';

const TOLERANCE = { rtol: 1e-5, atol: 1e-5 };

// gemm.ts works in 4 × 2 tiles and 256-deep panels; 130 × 70 by 300 deep splits by rows
// over 2 threads, 20 × 1030 by 64 deep by columns.
const SHAPES = [
  [1, 1, 1],
  [5, 3, 300],
  [70, 1030, 9],
  [33, 17, 513],
  [1, 40, 30],
  [130, 70, 300],
  [20, 1030, 64],
] as const;

for (const threads of [1, 2]) {
  describeMatMul(`cpu BatchMatMul on ${threads} thread(s) against float64 sums`, {
    setup: () => useBackend(cpuWith({ threads })),
    shapes: SHAPES,
  });
}

describe("cpu BatchMatMul (Recur's product in front of tfjs')", () => {
  checkLeaks();
  beforeAll(() => useBackend(cpuWith({ threads: 2 })));
  afterAll(() => useBackend(cpuWith({ threads: 1 })));

  it('should be installed once, however often the plug-in is set up', async () => {
    const config = tf.getKernel(tf.BatchMatMul, 'cpu');
    installMatMul();
    await useBackend(cpuWith({ threads: 2 }));
    expect(tf.getKernel(tf.BatchMatMul, 'cpu')).toBe(config);
    expect(stockMatMul(tf.BatchMatMul)?.kernelFunc).not.toBe(config?.kernelFunc);
  });

  it("should equal tfjs' own cpu matMul within float32 rounding, every transposition, rank 2 to 4", () => {
    const rng = new Rng(13);
    const cases: [number[], number[]][] = [
      [
        [37, 301],
        [301, 19],
      ],
      [
        [2, 3, 9, 17],
        [2, 3, 17, 6],
      ],
      [
        [130, 300],
        [300, 70],
      ],
      [
        [3, 64, 100],
        [100, 80],
      ],
    ];
    for (const [aShape, bShape] of cases) {
      for (const transA of [false, true]) {
        for (const transB of [false, true]) {
          const swap = (s: number[], t: boolean) => (t ? [...s.slice(0, -2), s.at(-1), s.at(-2)] : s) as number[];
          const [sa, sb] = [swap(aShape, transA), swap(bShape, transB)];
          const { a, b } = matMulCase(rng, sa, sb, transA, transB);
          const [recur, stock] = bothWays([tf.BatchMatMul], () =>
            tf.matMul(tf.tensor(a, sa), tf.tensor(b, sb), transA, transB),
          );
          expectClose(recur, stock, TOLERANCE);
        }
      }
    }
  });

  it('should split big products over the pool, bit-identical to one thread', async () => {
    const rng = new Rng(17);
    const cases = [
      matMulCase(rng, [130, 300], [300, 70], false, false),
      matMulCase(rng, [20, 64], [64, 1030], false, false),
    ];
    const shapes = [
      [
        [130, 300],
        [300, 70],
      ],
      [
        [20, 64],
        [64, 1030],
      ],
    ];
    const products = () =>
      cases.map(({ a, b }, i) => {
        const [sa, sb] = shapes[i] as [number[], number[]];
        const c = tf.tidy(() => tf.matMul(tf.tensor(a, sa), tf.tensor(b, sb)));
        const values = c.dataSync();
        c.dispose();
        return values;
      });
    const run = vi.spyOn(cpuPools.get(tf.backend()) as CpuThreadPool, 'run');
    const split = products();
    expect(run).toHaveBeenCalledTimes(2);
    run.mockRestore();
    await useBackend(cpuWith({ threads: 1 }));
    const alone = products();
    await useBackend(cpuWith({ threads: 2 }));
    expect(split).toEqual(alone);
  });

  it("should give tf.fused.matMul's bias and every activation as tfjs' own fused kernel", () => {
    const rng = new Rng(19);
    const { a, b } = matMulCase(rng, [33, 40], [40, 21], false, false);
    const bias = rng.fillUniform(new Float32Array(21), -1, 1);
    const alpha = rng.fillUniform(new Float32Array(21), 0, 0.5);
    for (const activation of ['linear', 'relu', 'elu', 'relu6', 'prelu', 'leakyrelu', 'sigmoid'] as const) {
      const [recur, stock] = bothWays([tf._FusedMatMul], () =>
        tf.fused.matMul({
          a: tf.tensor2d(a, [33, 40]),
          b: tf.tensor2d(b, [40, 21]),
          bias: tf.tensor1d(bias),
          activation,
          preluActivationWeights: activation === 'prelu' ? tf.tensor1d(alpha) : undefined,
          leakyreluAlpha: 0.3,
        }),
      );
      expectClose(recur, stock, TOLERANCE);
    }
  });

  it("should give tf.fused.matMul's gradients as tfjs' own kernels", () => {
    const rng = new Rng(23);
    const { a, b } = matMulCase(rng, [12, 30], [30, 8], false, false);
    const bias = rng.fillUniform(new Float32Array(8), -1, 1);
    const grads = () =>
      tf.concat(
        tf
          .grads((x: tf.Tensor, w: tf.Tensor, c: tf.Tensor) =>
            tf.sum(tf.fused.matMul({ a: x as tf.Tensor2D, b: w as tf.Tensor2D, bias: c, activation: 'relu' })),
          )([tf.tensor2d(a, [12, 30]), tf.tensor2d(b, [30, 8]), tf.tensor1d(bias)])
          .map((g) => tf.reshape(g, [-1])),
      );
    const [recur, stock] = bothWays([tf._FusedMatMul, tf.BatchMatMul], grads);
    expectClose(recur, stock, TOLERANCE);
  });

  it('should refuse operands whose shapes do not multiply, naming them (RecurError)', () => {
    const run = (aShape: number[], bShape: number[], transposeA = false) =>
      tf.tidy(() => {
        tf.engine().runKernel(tf.BatchMatMul, { a: tf.zeros(aShape), b: tf.zeros(bShape) }, { transposeA });
      });
    expect(() => run([3, 4], [5, 2])).toThrow(RecurError);
    expect(() => run([3, 4], [5, 2])).toThrow(/cpu BatchMatMul input 'b': expected an inner size of 4/);
    expect(() => run([4, 3], [4, 2], true)).not.toThrow();
    expect(() => run([2, 3, 4], [3, 4, 2])).toThrow(/batch axes that broadcast with a's \[2\]/);
    expect(() => run([4], [4, 2])).toThrow(/cpu BatchMatMul input 'a': expected rank 2 or more/);
  });

  it("should leave int32 products to tfjs' kernel", () => {
    const c = tf.tidy(() =>
      tf.matMul(tf.tensor2d([1, 2, 3, 4], [2, 2], 'int32'), tf.tensor2d([5, 6, 7, 8], [2, 2], 'int32')),
    );
    expect(c.dtype).toBe('int32');
    expect(Array.from(c.dataSync())).toEqual([19, 22, 43, 50]);
    c.dispose();
  });
});
