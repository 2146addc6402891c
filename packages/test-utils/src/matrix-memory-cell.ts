/**
 * A toy cell with only `step` and a rank-3 carry, for the tests that prove every driver
 * handles carries of any rank (scan, bidirectional, stacked, TBPTT, beam search). A
 * matrix memory in the style of mLSTM (Beck et al. 2024, "xLSTM", sec. 2.3), reduced to
 * its recurrence:
 *
 *     f = σ(x·W_f + b_f)    v = x·W_v    k = x·W_k    q = x·W_q        [batch, d] each
 *     C_t = f ⊙ C_{t−1} + v kᵀ                                        [batch, d, d]
 *     h_t = tanh(C_t q)                        y_t = h_t              [batch, d]
 *
 * (f scales the rows of C.) Carry `{ C: [batch, d, d], h: [batch, d] }`.
 */
import { badArgument, type Cell, type Rng } from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';

export type MatrixMemoryCarry = { readonly C: tf.Tensor3D; readonly h: tf.Tensor2D };
export type MatrixMemoryParams = {
  readonly forgetKernel: tf.Tensor2D;
  readonly forgetBias: tf.Tensor1D;
  readonly valueKernel: tf.Tensor2D;
  readonly keyKernel: tf.Tensor2D;
  readonly queryKernel: tf.Tensor2D;
};
export type MatrixMemoryCell = Cell<MatrixMemoryCarry, MatrixMemoryParams, { inputSize: number; d: number }>;

/** The cell for `inputSize` features and a `d × d` memory. */
export function matrixMemoryCell(inputSize: number, d: number): MatrixMemoryCell {
  const shapes: Record<keyof MatrixMemoryParams, number[]> = {
    forgetKernel: [inputSize, d],
    forgetBias: [d],
    valueKernel: [inputSize, d],
    keyKernel: [inputSize, d],
    queryKernel: [inputSize, d],
  };
  return Object.freeze({
    kind: 'matrixMemory',
    config: { inputSize, d },
    inputSize,
    outputSize: d,
    init(rng: Rng): MatrixMemoryParams {
      const draw = (shape: number[]) =>
        tf.tensor(
          Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (2 * rng.uniform() - 1) * 0.7),
          shape,
        );
      return Object.fromEntries(Object.entries(shapes).map(([k, s]) => [k, draw(s)])) as MatrixMemoryParams;
    },
    initCarry(batch: number): MatrixMemoryCarry {
      return { C: tf.zeros([batch, d, d]), h: tf.zeros([batch, d]) };
    },
    checkParams(params: MatrixMemoryParams): void {
      for (const [key, shape] of Object.entries(shapes)) {
        const value = (params as Record<string, tf.Tensor | undefined>)[key];
        if (value?.shape.join() !== shape.join()) {
          throw badArgument('SHAPE_MISMATCH', `params.${key}`, `shape [${shape.join(', ')}]`, value);
        }
      }
    },
    step(p: MatrixMemoryParams, carry: MatrixMemoryCarry, x: tf.Tensor2D) {
      return tf.tidy(() => {
        const f = tf.sigmoid(tf.add(tf.matMul(x, p.forgetKernel), p.forgetBias));
        const v = tf.matMul(x, p.valueKernel);
        const k = tf.matMul(x, p.keyKernel);
        const q = tf.matMul(x, p.queryKernel);
        const outer = tf.mul(tf.expandDims(v, 2), tf.expandDims(k, 1));
        const C = tf.add(tf.mul(tf.expandDims(f, 2), carry.C), outer) as tf.Tensor3D;
        const h = tf.tanh(tf.squeeze(tf.matMul(C, tf.expandDims(q, 2)), [2])) as tf.Tensor2D;
        return { carry: { C, h }, y: tf.clone(h) };
      });
    },
  });
}
