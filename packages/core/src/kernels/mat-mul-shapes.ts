/**
 * The sizes of a call of tfjs' `BatchMatMul` as a backend's own product runs it: the
 * matrices' m × k · k × n, the output's batch axes (numpy broadcasting) and, for each
 * output matrix, which matrix of `a` and of `b` it reads. tfjs' cpu and wasm kernels both
 * take a batch index modulo the operand's batch size, which is wrong for mixed broadcasts
 * such as [2, 1, …]·[1, 3, …]; the index tables here follow numpy.
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { badArgument } from '../errors.js';

/** A `BatchMatMul` call's sizes; `aIndex[i]` and `bIndex[i]` are the operands' matrices behind output matrix `i`. */
export interface MatMulShapes {
  readonly transA: boolean;
  readonly transB: boolean;
  readonly m: number;
  readonly k: number;
  readonly n: number;
  /** The output's batch axes; its shape is `[...outer, m, n]`. */
  readonly outer: number[];
  /** How many m × n matrices the output holds. */
  readonly batch: number;
  readonly aIndex: Int32Array;
  readonly bIndex: Int32Array;
}

const size = (shape: readonly number[]): number => shape.reduce((p, d) => p * d, 1);

/** Which matrix of an operand with batch axes `dims` each matrix of the output (batch axes `outer`) reads. */
function matrixIndex(dims: readonly number[], outer: readonly number[]): Int32Array {
  const index = new Int32Array(size(outer));
  const offset = outer.length - dims.length;
  for (let i = 0; i < index.length; i++) {
    let [rest, at, stride] = [i, 0, 1];
    for (let axis = outer.length - 1; axis >= offset; axis--) {
      const d = outer[axis] as number;
      const own = dims[axis - offset] as number;
      // Axes of size 1 repeat, missing leading axes too.
      if (own !== 1) at += (rest % d) * stride;
      rest = Math.floor(rest / d);
      stride *= own;
    }
    index[i] = at;
  }
  return index;
}

/**
 * Checks `a` and `b` as tfjs' `BatchMatMul` takes them (rank 2 or more, equal inner sizes,
 * batch axes that broadcast) and returns the call's sizes; `kernel` names the caller in
 * the `SHAPE_MISMATCH` error otherwise.
 */
export function matMulShapes(
  kernel: string,
  a: Pick<TensorInfo, 'shape'>,
  b: Pick<TensorInfo, 'shape'>,
  attrs: { readonly transposeA?: boolean; readonly transposeB?: boolean },
): MatMulShapes {
  for (const [name, t] of [
    ['a', a],
    ['b', b],
  ] as const) {
    if (t.shape.length < 2) {
      throw badArgument('SHAPE_MISMATCH', `${kernel} input '${name}'`, 'rank 2 or more [..., rows, columns]', t);
    }
  }
  const [transA, transB] = [attrs.transposeA === true, attrs.transposeB === true];
  const [ra, rb] = [a.shape.length, b.shape.length];
  const m = a.shape[transA ? ra - 1 : ra - 2] as number;
  const k = a.shape[transA ? ra - 2 : ra - 1] as number;
  const kb = b.shape[transB ? rb - 1 : rb - 2] as number;
  const n = b.shape[transB ? rb - 2 : rb - 1] as number;
  if (k !== kb) {
    throw badArgument(
      'SHAPE_MISMATCH',
      `${kernel} input 'b'`,
      `an inner size of ${k} (a [${a.shape.join(', ')}], transposeA ${transA}, transposeB ${transB})`,
      b,
    );
  }
  const [dimsA, dimsB] = [a.shape.slice(0, -2), b.shape.slice(0, -2)];
  const outer: number[] = [];
  for (let axis = -Math.max(dimsA.length, dimsB.length); axis < 0; axis++) {
    const [da, db] = [dimsA.at(axis) ?? 1, dimsB.at(axis) ?? 1];
    if (da !== db && da !== 1 && db !== 1) {
      throw badArgument(
        'SHAPE_MISMATCH',
        `${kernel} input 'b'`,
        `batch axes that broadcast with a's [${dimsA.join(', ')}]`,
        b,
      );
    }
    outer.push(da === 1 ? db : da);
  }
  return {
    transA,
    transB,
    m,
    k,
    n,
    outer,
    batch: size(outer),
    aIndex: matrixIndex(dimsA, outer),
    bIndex: matrixIndex(dimsB, outer),
  };
}
