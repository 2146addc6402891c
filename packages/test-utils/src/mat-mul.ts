/**
 * The suite every backend that puts its own product behind tfjs' `BatchMatMul` runs
 * (`tf.matMul` on the active backend against float64 sums): every transposition on shapes
 * that cross the products' blocks, batches and numpy broadcasting, an inner size of 0,
 * and tfjs' gradients, which are transposed products.
 */
import { Rng } from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkLeaks } from './leaks.js';
import { expectClose } from './tolerance.js';

const TOLERANCE = { rtol: 1e-5, atol: 1e-5 };

/** The sizes of op(A)·op(B): op(A) is m × k, op(B) k × n. */
export interface MatMulDims {
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly transA: boolean;
  readonly transB: boolean;
}

/**
 * The float64 oracle of a matrix product: op(A)·op(B) for row-major `a` (`[m, k]`, or
 * `[k, m]` when `transA`) and `b` (`[k, n]`, or `[n, k]` when `transB`), summed in float64.
 */
export function matMulReference(a: Float32Array, b: Float32Array, dims: MatMulDims): Float64Array {
  const { m, n, k, transA, transB } = dims;
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let p = 0; p < k; p++) {
        sum += (a[transA ? p * m + i : i * k + p] as number) * (b[transB ? j * k + p : p * n + j] as number);
      }
      out[i * n + j] = sum;
    }
  }
  return out;
}

const size = (shape: readonly number[]) => shape.reduce((p, d) => p * d, 1);

/** Random operands of `aShape` and `bShape` and their product's float64 sums, batch by batch (a batch of 1 broadcasts). */
export function matMulCase(
  rng: Rng,
  aShape: number[],
  bShape: number[],
  transA: boolean,
  transB: boolean,
): { a: Float32Array; b: Float32Array; expected: Float64Array } {
  const a = rng.fillUniform(new Float32Array(size(aShape)), -1, 1);
  const b = rng.fillUniform(new Float32Array(size(bShape)), -1, 1);
  const [ra, rb] = [aShape.length, bShape.length];
  const m = aShape[transA ? ra - 1 : ra - 2] as number;
  const k = aShape[transA ? ra - 2 : ra - 1] as number;
  const n = bShape[transB ? rb - 2 : rb - 1] as number;
  const [batchA, batchB] = [size(aShape.slice(0, -2)), size(bShape.slice(0, -2))];
  const batch = Math.max(batchA, batchB);
  const expected = new Float64Array(batch * m * n);
  for (let i = 0; i < batch; i++) {
    const [ia, ib] = [batchA === 1 ? 0 : i, batchB === 1 ? 0 : i];
    const ai = a.subarray(ia * m * k, (ia + 1) * m * k);
    const bi = b.subarray(ib * k * n, (ib + 1) * k * n);
    expected.set(matMulReference(ai, bi, { m, n, k, transA, transB }), i * m * n);
  }
  return { a, b, expected };
}

/** `tf.matMul` on the active backend against float64 sums. */
export function expectMatMul(
  rng: Rng,
  aShape: number[],
  bShape: number[],
  transA: boolean,
  transB: boolean,
  outShape: number[],
): void {
  const { a, b, expected } = matMulCase(rng, aShape, bShape, transA, transB);
  const actual = tf.tidy(() => tf.matMul(tf.tensor(a, aShape), tf.tensor(b, bShape), transA, transB));
  expect(actual.shape).toEqual(outShape);
  expectClose(actual.dataSync(), expected, TOLERANCE);
  actual.dispose();
}

export interface MatMulSuite {
  /** Activates the backend under test. */
  readonly setup: () => Promise<void>;
  /** Shapes `[m, n, k]` that cross the backend's blocks (and, where it has threads, split). */
  readonly shapes: readonly (readonly [number, number, number])[];
}

/** Runs the suite under `describe(name)` on the backend `s.setup` activates. */
export function describeMatMul(name: string, s: MatMulSuite): void {
  describe(name, () => {
    checkLeaks();
    beforeAll(s.setup);

    it('should match float64 sums for every transposition on shapes crossing its blocks', () => {
      const rng = new Rng(3);
      for (const [m, n, k] of s.shapes) {
        for (const transA of [false, true]) {
          for (const transB of [false, true]) {
            expectMatMul(rng, transA ? [k, m] : [m, k], transB ? [n, k] : [k, n], transA, transB, [m, n]);
          }
        }
      }
    });

    it('should multiply batches, broadcast a single matrix on either side and keep the batch axes', () => {
      const rng = new Rng(5);
      expectMatMul(rng, [2, 3, 4, 5], [2, 3, 5, 6], false, false, [2, 3, 4, 6]);
      expectMatMul(rng, [2, 3, 5, 4], [2, 3, 6, 5], true, true, [2, 3, 4, 6]);
      expectMatMul(rng, [4, 5], [3, 5, 6], false, false, [3, 4, 6]);
      expectMatMul(rng, [3, 4, 5], [1, 6, 5], false, true, [3, 4, 6]);
      expectMatMul(rng, [3, 96, 100], [100, 80], false, false, [3, 96, 80]);
    });

    it('should broadcast mixed batch axes as numpy does', () => {
      // a's batch [2, 1] against b's [1, 3]: neither is whole nor one matrix.
      const rng = new Rng(7);
      const a = rng.fillUniform(new Float32Array(2 * 4 * 5), -1, 1);
      const b = rng.fillUniform(new Float32Array(3 * 5 * 2), -1, 1);
      const actual = tf.tidy(() => tf.matMul(tf.tensor(a, [2, 1, 4, 5]), tf.tensor(b, [1, 3, 5, 2])));
      expect(actual.shape).toEqual([2, 3, 4, 2]);
      const values = actual.dataSync();
      for (let i = 0; i < 2; i++) {
        for (let j = 0; j < 3; j++) {
          const dims = { m: 4, n: 2, k: 5, transA: false, transB: false };
          const expected = matMulReference(a.subarray(i * 20, i * 20 + 20), b.subarray(j * 10, j * 10 + 10), dims);
          expectClose(values.subarray((i * 3 + j) * 8, (i * 3 + j + 1) * 8), expected, TOLERANCE);
        }
      }
      actual.dispose();
    });

    it('should give zeros for an inner size of 0 and an empty result for an outer size of 0', () => {
      const zeros = tf.tidy(() => tf.matMul(tf.zeros([3, 0]), tf.zeros([0, 2])));
      expect(Array.from(zeros.dataSync())).toEqual([0, 0, 0, 0, 0, 0]);
      const empty = tf.tidy(() => tf.matMul(tf.zeros([0, 4]), tf.ones([4, 2])));
      expect(empty.shape).toEqual([0, 2]);
      tf.dispose([zeros, empty]);
    });

    it("should give tfjs' gradients (transposed products) equal to float64 sums", () => {
      const rng = new Rng(9);
      const [m, k, n] = [6, 300, 10];
      const a = rng.fillUniform(new Float32Array(m * k), -1, 1);
      const b = rng.fillUniform(new Float32Array(k * n), -1, 1);
      const dy = rng.fillUniform(new Float32Array(m * n), -1, 1);
      const [da, db] = tf.tidy(() =>
        tf.grads((x: tf.Tensor, w: tf.Tensor) =>
          tf.mul(tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D), tf.tensor2d(dy, [m, n])),
        )([tf.tensor2d(a, [m, k]), tf.tensor2d(b, [k, n])]),
      ) as [tf.Tensor, tf.Tensor];
      // dA = dY·Bᵀ, dB = Aᵀ·dY
      expectClose(da.dataSync(), matMulReference(dy, b, { m, n: k, k: n, transA: false, transB: true }), TOLERANCE);
      expectClose(db.dataSync(), matMulReference(a, dy, { m: k, n, k: m, transA: true, transB: false }), TOLERANCE);
      tf.dispose([da, db]);
    });
  });
}
