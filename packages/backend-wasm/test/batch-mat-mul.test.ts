import { Rng } from '@recur/core';
import { checkLeaks, expectClose } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { recurBatchMatMulInstalled } from '../src/kernels/batch-mat-mul.js';
import { matMulReference } from './mat-mul-reference.js';
import { useWasmUnderTest } from './wasm-under-test.js';

const size = (shape: readonly number[]) => shape.reduce((p, d) => p * d, 1);

/** `tf.matMul` on the wasm backend against float64 sums, batch by batch (a batch of 1 broadcasts). */
function expectProduct(
  rng: Rng,
  aShape: number[],
  bShape: number[],
  transA: boolean,
  transB: boolean,
  outShape: number[],
): void {
  const a = rng.fillUniform(new Float32Array(size(aShape)), -1, 1);
  const b = rng.fillUniform(new Float32Array(size(bShape)), -1, 1);
  const [ra, rb] = [aShape.length, bShape.length];
  const m = aShape[transA ? ra - 1 : ra - 2] as number;
  const k = aShape[transA ? ra - 2 : ra - 1] as number;
  const n = bShape[transB ? rb - 2 : rb - 1] as number;
  const [batchA, batchB] = [size(aShape.slice(0, -2)), size(bShape.slice(0, -2))];
  const batch = size(outShape.slice(0, -2));
  const expected = new Float64Array(batch * m * n);
  for (let i = 0; i < batch; i++) {
    const ai = a.subarray((batchA === 1 ? 0 : i) * m * k, ((batchA === 1 ? 0 : i) + 1) * m * k);
    const bi = b.subarray((batchB === 1 ? 0 : i) * k * n, ((batchB === 1 ? 0 : i) + 1) * k * n);
    expected.set(matMulReference(ai, bi, { m, n, k, transA, transB }), i * m * n);
  }
  const actual = tf.tidy(() => tf.matMul(tf.tensor(a, aShape), tf.tensor(b, bShape), transA, transB));
  expect(actual.shape).toEqual(outShape);
  expectClose(actual.dataSync(), expected, { rtol: 1e-5, atol: 1e-5 });
  actual.dispose();
}

describe("wasm BatchMatMul (Recur's product in front of tfjs')", () => {
  checkLeaks();

  beforeAll(async () => {
    await useWasmUnderTest();
  });

  it('should be installed once, however often the plug-in is set up', async () => {
    expect(recurBatchMatMulInstalled()).toBe(true);
    await useWasmUnderTest();
    expect(recurBatchMatMulInstalled()).toBe(true);
    expectProduct(new Rng(1), [4, 3], [4, 5], true, false, [3, 5]);
  });

  it('should match float64 sums for every transposition on shapes crossing its blocks (256 deep, 1024 wide), and below FEW_ROWS (tfjs kernel)', () => {
    const rng = new Rng(3);
    for (const [m, n, k] of [
      [1, 1, 1],
      [5, 3, 300],
      [70, 1030, 9],
      [33, 17, 513],
      [1, 40, 30],
    ] as const) {
      for (const transA of [false, true]) {
        for (const transB of [false, true]) {
          expectProduct(rng, transA ? [k, m] : [m, k], transB ? [n, k] : [k, n], transA, transB, [m, n]);
        }
      }
    }
  });

  it('should multiply batches, broadcast a single matrix on either side and keep the batch axes', () => {
    const rng = new Rng(5);
    expectProduct(rng, [2, 3, 4, 5], [2, 3, 5, 6], false, false, [2, 3, 4, 6]);
    expectProduct(rng, [2, 3, 5, 4], [2, 3, 6, 5], true, true, [2, 3, 4, 6]);
    expectProduct(rng, [4, 5], [3, 5, 6], false, false, [3, 4, 6]);
    expectProduct(rng, [3, 4, 5], [1, 6, 5], false, true, [3, 4, 6]);
  });

  it("should broadcast mixed batch axes as numpy does (tfjs' own wasm kernel does not)", () => {
    // a's batch [2, 1] against b's [1, 3]: neither is whole nor one matrix.
    const rng = new Rng(7);
    const a = rng.fillUniform(new Float32Array(2 * 4 * 5), -1, 1);
    const b = rng.fillUniform(new Float32Array(3 * 5 * 2), -1, 1);
    const actual = tf.tidy(() => tf.matMul(tf.tensor(a, [2, 1, 4, 5]), tf.tensor(b, [1, 3, 5, 2])));
    expect(actual.shape).toEqual([2, 3, 4, 2]);
    const values = actual.dataSync();
    for (let i = 0; i < 2; i++) {
      for (let j = 0; j < 3; j++) {
        const expected = matMulReference(a.subarray(i * 20, i * 20 + 20), b.subarray(j * 10, j * 10 + 10), {
          m: 4,
          n: 2,
          k: 5,
          transA: false,
          transB: false,
        });
        expectClose(values.subarray((i * 3 + j) * 8, (i * 3 + j + 1) * 8), expected, { rtol: 1e-5, atol: 1e-5 });
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
    expectClose(da.dataSync(), matMulReference(dy, b, { m, n: k, k: n, transA: false, transB: true }), {
      rtol: 1e-5,
      atol: 1e-5,
    });
    expectClose(db.dataSync(), matMulReference(a, dy, { m: k, n, k: m, transA: true, transB: false }), {
      rtol: 1e-5,
      atol: 1e-5,
    });
    tf.dispose([da, db]);
  });
});
