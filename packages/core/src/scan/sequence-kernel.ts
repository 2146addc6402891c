/**
 * The sequence-kernel path of `scan`: one call to the cell's whole-sequence kernel (a
 * backend's fused one when registered, the reference otherwise; see kernels/dispatch.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Carry } from '../cell.js';
import { RecurError } from '../errors.js';
import { runKernel } from '../kernels/dispatch.js';
import { KERNEL_DESCRIPTORS } from '../kernels/registry.js';
import type { KernelPlan } from './kernel-plan.js';
import type { ScanPlan } from './validate.js';

/** Runs inside `scan`'s tidy; `mask` is `[batch, time]` float32 0/1 when there is padding. */
export function scanWithKernel<C extends Carry>(
  xs: tf.Tensor3D,
  plan: ScanPlan<C>,
  kernel: KernelPlan,
  mask: tf.Tensor2D | undefined,
): { outputs: tf.Tensor; carry: C } {
  const { batch, reverse } = plan;
  const initial = plan.initialCarry as Readonly<Record<string, tf.Tensor2D>> | undefined;
  const state = (key: 'h' | 'c') => initial?.[key] ?? tf.zeros([batch, kernel.units]);
  const inputs: Record<string, tf.Tensor | undefined> = {
    x: xs,
    kernel: kernel.kernel,
    recurrentKernel: kernel.recurrentKernel,
    bias: kernel.bias,
    h0: state('h'),
    c0: kernel.stateKeys.includes('c') ? state('c') : undefined,
    mask,
  };
  const attrs = { ...kernel.attrs, reverse, maskedOutput: plan.maskedOutput };
  const descriptor = KERNEL_DESCRIPTORS.find((d) => d.name === kernel.name);
  if (descriptor === undefined) throw new RecurError('BAD_CONFIG', `scan: no kernel descriptor named ${kernel.name}`);
  const results = runKernel(descriptor, inputs, attrs) as Record<string, tf.Tensor>;
  const ys = results.ys as tf.Tensor3D;
  const carry = Object.fromEntries(kernel.stateKeys.map((k) => [k, results[`${k}T`]])) as unknown as C;
  const hT = results.hT as tf.Tensor2D;
  let outputs: tf.Tensor;
  if (!plan.returnSequences) {
    // Padded steps keep the state, so hT is the last real output, unless a row has none.
    outputs = mask === undefined ? tf.clone(hT) : tf.mul(hT, tf.max(mask, 1, true));
  } else {
    // The kernel emits in input time order; without keepOrder, reverse means processing order.
    outputs = reverse && !plan.keepOrder ? tf.reverse(ys, 1) : ys;
  }
  return { outputs, carry };
}
