import * as tf from '@tensorflow/tfjs-core';
import type { Carry, Cell, Params } from './cell.js';
import type { ScanOptions, ScanResult } from './scan/options.js';
import { scanWithKernel } from './scan/sequence-kernel.js';
import { scanSteps } from './scan/steps.js';
import { type MaskSource, planScan } from './scan/validate.js';

export type { ScanOptions, ScanResult } from './scan/options.js';

/**
 * Runs `cell` over the sequences `xs` (`[batch, time, cell.inputSize]`, batch-major) and
 * returns the outputs and the final carry: the one driver behind every Recur layer
 * (stacked, bidirectional, seq2seq and stateful runs are compositions of it).
 *
 * - A cell with a `sequenceKernel` runs as one whole-sequence kernel with params
 *   `{ kernel, recurrentKernel, bias }`: the active backend's fused kernel when it
 *   registered one under the kernel's name, core's reference otherwise, with a
 *   hand-written backward pass through time. Other cells (dropout wrappers, peepholes,
 *   Jordan, …) and kernel cells whose activation has no kernel (swish, gelu) are stepped.
 *   Both paths compute the same function.
 * - Padding (`mask` or `seqLengths`): padded steps keep the previous state and emit
 *   zeros or the last real output (`maskedOutput`); the final carry is the state after
 *   each row's last real step.
 * - Differentiable with `tf.grad` / `tf.variableGrads` with respect to `xs`, `params`
 *   (tensors or `tf.Variable`s) and `initialCarry`.
 *
 * Every argument is checked before any tfjs op runs; bad ones throw `RecurError` naming
 * the argument, the expected and the received shape. The caller owns everything
 * returned; `scan` neither keeps nor disposes its inputs and leaks nothing.
 *
 * ```ts
 * const { outputs, carry } = scan(cell, params, xs, { seqLengths: [5, 3] });
 * // outputs [2, 5, units]; carry.h is each row's state after its last real step
 * ```
 */
export function scan<C extends Carry, P extends Params>(
  cell: Cell<C, P>,
  params: P,
  xs: tf.Tensor3D,
  options?: ScanOptions<C>,
): ScanResult<C> {
  const plan = planScan(cell, params, xs, options);
  const borrowed = new Set<tf.Tensor>([xs, ...Object.values(params), ...Object.values(plan.initialCarry ?? {})]);
  // Never hand the caller one of its own tensors as a result (it would own it twice).
  const own = <T extends tf.Tensor>(t: T): T => (borrowed.has(t) ? (tf.clone(t) as T) : t);
  return tf.tidy(() => {
    const mask = realSteps(plan.mask, plan.batch, plan.time);
    const result =
      plan.kernel !== undefined
        ? scanWithKernel(xs, plan, plan.kernel, mask)
        : scanSteps(cell, params, xs, plan, mask === undefined ? undefined : tf.cast(mask, 'bool'));
    // A cell may return its new state as its output: one tensor must not be handed out twice.
    const aliased = plan.returnCarry && Object.values(result.carry).includes(result.outputs as tf.Tensor2D);
    const outputs = aliased ? tf.clone(result.outputs) : own(result.outputs);
    if (!plan.returnCarry) return { outputs };
    const carry = Object.fromEntries(Object.entries(result.carry).map(([k, v]) => [k, own(v)])) as unknown as C;
    return { outputs, carry } as unknown as tf.TensorContainerObject;
  }) as unknown as ScanResult<C>;
}

/** `[batch, time]` float32, 1 at real steps; `undefined` when no step is padded. */
function realSteps(source: MaskSource, batch: number, time: number): tf.Tensor2D | undefined {
  if (source.kind === 'tensor') return tf.cast(tf.notEqual(source.tensor, 0), 'float32') as tf.Tensor2D;
  if (source.kind === 'none' || source.lengths.every((n) => n === time)) return undefined;
  const values = new Float32Array(batch * time);
  source.lengths.forEach((length, b) => {
    values.fill(1, b * time, b * time + length);
  });
  return tf.tensor2d(values, [batch, time]);
}
