/**
 * The fused recurrent backward kernels flush their carried state gradient (dh, and dc, dn, dm
 * where the cell has them) to zero once it falls below 2⁻¹⁰⁰: through a saturated gate it
 * decays geometrically, and the subnormal products it would otherwise feed run up to 75 times
 * slower on x86. Each case here saturates the gate that carries the state (forget gate or
 * update gate at σ(−30) ≈ 1e−13, or an Elman recurrent weight of 1e−8), so that the carried
 * gradient passes 2⁻¹⁰⁰ within a few steps.
 */
import {
  type AnyKernelDescriptor,
  elmanSequence,
  gruSequence,
  hasFusedKernel,
  lstmSequence,
  runKernel,
  slstmSequence,
} from '@recur/core';
import { checkLeaks, describeBackends, expectClose } from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { withReferenceKernels } from './kernels-cases.js';

const FLUSH_BELOW = 2 ** -100;
const [B, T, H] = [2, 8, 5]; // H = 5: one full SIMD group of four and a ragged lane.

/** x = 1 at every step, kernel `[1, blocks·H]` with each gate block's value from `blocks`. */
function inputProjection(blocks: number[]) {
  const x = tf.ones([B, T, 1]) as tf.Tensor3D;
  const kernel = tf.tensor2d([blocks.flatMap((v) => Array<number>(H).fill(v))]);
  return { x, kernel, bias: tf.zeros([blocks.length * H]) as tf.Tensor1D };
}

interface FlushCase {
  readonly kernel: AnyKernelDescriptor;
  /** Inputs whose carried gradient decays below 2⁻¹⁰⁰; x, kernel, recurrentKernel and bias first. */
  readonly inputs: () => Record<string, tf.Tensor>;
  readonly attrs: Record<string, unknown>;
}

const gated = { activation: 'tanh', recurrentActivation: 'sigmoid', reverse: false, maskedOutput: 'zeros' };
const CASES: [string, FlushCase][] = [
  [
    'elman (recurrent weight 1e−8)',
    {
      kernel: elmanSequence,
      inputs: () => ({
        ...inputProjection([0.5]),
        recurrentKernel: tf.mul(tf.eye(H), 1e-8) as tf.Tensor2D,
        h0: tf.zeros([B, H]),
      }),
      attrs: { activation: 'tanh', reverse: false, maskedOutput: 'zeros' },
    },
  ],
  ...[false, true].map((resetAfter): [string, FlushCase] => [
    `gru resetAfter ${resetAfter} (update gate σ(−30))`,
    {
      kernel: gruSequence,
      inputs: () => ({
        ...inputProjection([-30, 0.3, 0.5]),
        recurrentKernel: tf.zeros([H, 3 * H]),
        h0: tf.zeros([B, H]),
      }),
      attrs: { ...gated, resetAfter },
    },
  ]),
  [
    'lstm (forget gate σ(−30))',
    {
      kernel: lstmSequence,
      inputs: () => ({
        ...inputProjection([0.3, -30, 0.5, 0.3]),
        recurrentKernel: tf.zeros([H, 4 * H]),
        h0: tf.zeros([B, H]),
        c0: tf.zeros([B, H]),
      }),
      attrs: gated,
    },
  ],
  [
    'slstm (sigmoid forget gate σ(−30))',
    {
      kernel: slstmSequence,
      inputs: () => ({
        ...inputProjection([0, -30, 0.5, 0.3]),
        recurrentKernel: tf.zeros([1, H, 4 * H]),
        h0: tf.zeros([B, H]),
        c0: tf.zeros([B, H]),
        n0: tf.ones([B, H]),
        m0: tf.zeros([B, H]),
      }),
      attrs: { forgetGate: 'sigmoid', reverse: false, maskedOutput: 'zeros' },
    },
  ],
];

/** d Σ hT / d(x, kernel, recurrentKernel, bias). */
function gradients({ kernel, inputs, attrs }: FlushCase): Float32Array[] {
  return tf.tidy(() => {
    const all = inputs();
    const names = ['x', 'kernel', 'recurrentKernel', 'bias'];
    const grads = tf.grads((...ts: tf.Tensor[]) => {
      const given = { ...all, ...Object.fromEntries(names.map((n, i) => [n, ts[i]])) };
      return tf.sum((runKernel(kernel as never, given as never, attrs as never) as { hT: tf.Tensor }).hT);
    })(names.map((n) => all[n] as tf.Tensor));
    return grads.map((g) => g.dataSync() as Float32Array);
  });
}

const tiny = (values: Float32Array) => Array.from(values).filter((v) => v !== 0 && Math.abs(v) < FLUSH_BELOW);

describeBackends('fused backward kernels: carried gradients below 2⁻¹⁰⁰', () => {
  checkLeaks();

  it.each(CASES)('should flush the decayed carried gradient and still match the reference: %s', (_name, c) => {
    const before = tf.memory().numTensors;
    const fused = gradients(c);
    const reference = withReferenceKernels(() => gradients(c));
    // The reference keeps the decayed gradient: the case reaches below 2⁻¹⁰⁰ at all.
    expect(tiny(reference[0]!).length).toBeGreaterThan(0);
    if (hasFusedKernel(c.kernel)) {
      // dx at a step is the carried gradient times the gates: with it flushed, exactly 0.
      expect(tiny(fused[0]!)).toEqual([]);
      expect(fused[0]!.some((v) => v === 0)).toBe(true);
    }
    fused.forEach((g, i) => {
      expectClose(g, reference[i]!, { rtol: 1e-4, atol: 1e-5 });
    });
    expect(tf.memory().numTensors).toBe(before);
  });
});
