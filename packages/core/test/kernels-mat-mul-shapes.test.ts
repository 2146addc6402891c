import { RecurError } from '@recur/core';
import { matMulShapes } from '@recur/core/kernel-api';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

/** Output matrix i's coordinates over `outer`, each operand axis of size 1 read at 0: numpy's rule, spelled out. */
function numpyIndex(dims: number[], outer: number[], i: number): number {
  const coordinates = outer.map(() => 0);
  for (let axis = outer.length - 1, rest = i; axis >= 0; axis--) {
    coordinates[axis] = rest % (outer[axis] as number);
    rest = Math.floor(rest / (outer[axis] as number));
  }
  const own = coordinates.slice(outer.length - dims.length).map((c, axis) => (dims[axis] === 1 ? 0 : c));
  return own.reduce((index, c, axis) => index * (dims[axis] as number) + c, 0);
}

describe('matMulShapes', () => {
  it('should size op(A)·op(B) for every transposition', () => {
    expect(matMulShapes('k', { shape: [3, 4] }, { shape: [4, 5] }, {})).toMatchObject({ m: 3, k: 4, n: 5, batch: 1 });
    const t = matMulShapes('k', { shape: [4, 3] }, { shape: [5, 4] }, { transposeA: true, transposeB: true });
    expect(t).toMatchObject({ transA: true, transB: true, m: 3, k: 4, n: 5, outer: [] });
  });

  it("should broadcast batch axes as numpy (and tfjs' shape rule) do, mixed ones included", () => {
    const cases: [number[], number[]][] = [
      [
        [2, 1],
        [1, 3],
      ],
      [[3], [2, 3]],
      [[2, 3], []],
      [
        [4, 1, 2],
        [3, 1],
      ],
      [[1], [5]],
    ];
    for (const [dimsA, dimsB] of cases) {
      const s = matMulShapes('k', { shape: [...dimsA, 2, 3] }, { shape: [...dimsB, 3, 4] }, {});
      expect(s.outer).toEqual(tf.broadcast_util.assertAndGetBroadcastShape(dimsA, dimsB));
      expect(s.aIndex.length).toBe(s.batch);
      for (let i = 0; i < s.batch; i++) {
        expect(s.aIndex[i]).toBe(numpyIndex(dimsA, s.outer, i));
        expect(s.bIndex[i]).toBe(numpyIndex(dimsB, s.outer, i));
      }
    }
    const mixed = matMulShapes('k', { shape: [2, 1, 4, 5] }, { shape: [1, 3, 5, 2] }, {});
    expect(Array.from(mixed.aIndex)).toEqual([0, 0, 0, 1, 1, 1]);
    expect(Array.from(mixed.bIndex)).toEqual([0, 1, 2, 0, 1, 2]);
  });

  it('should refuse ranks under 2, unequal inner sizes and batch axes that do not broadcast, naming the kernel', () => {
    const refuse = (a: number[], b: number[], message: RegExp) => {
      expect(() => matMulShapes('cpu BatchMatMul', { shape: a }, { shape: b }, {})).toThrow(RecurError);
      expect(() => matMulShapes('cpu BatchMatMul', { shape: a }, { shape: b }, {})).toThrow(message);
    };
    refuse([3], [3, 2], /cpu BatchMatMul input 'a': expected rank 2 or more/);
    refuse([3, 2], [2], /cpu BatchMatMul input 'b': expected rank 2 or more/);
    refuse([3, 4], [5, 2], /input 'b': expected an inner size of 4 .*received a tensor of shape \[5, 2\]/);
    refuse([2, 3, 4], [3, 4, 2], /batch axes that broadcast with a's \[2\]/);
  });
});
