import * as tf from '@tensorflow/tfjs-core';
import { carryShapes } from './carry.js';
import type { Carry, Cell, Params } from './cell.js';
import type { ScanOptions, ScanResult } from './scan/options.js';
import { stepSequence } from './scan/steps.js';
import { type MaskSource, planScan, type ScanPlan } from './scan/validate.js';

export type { ScanOptions, ScanResult } from './scan/options.js';

/**
 * Runs `cell` over the sequences `xs` (`[batch, time, cell.inputSize]`, batch-major) and
 * returns the outputs and the final state: the one driver behind every Recur layer
 * (stacked, bidirectional, seq2seq and stateful runs are compositions of it). In three
 * parts:
 *
 * 1. Every argument is checked once, before any tfjs op runs: `xs`, the options, the
 *    initial state (each entry the shape of `cell.initCarry(1)`'s with the batch
 *    replaced) and the params (through `cell.checkParams`). Bad ones throw `RecurError`
 *    naming the argument, the expected and the received value.
 * 2. The cell's own `sequence` runs when it has one (LSTM, GRU and Elman call their
 *    fused kernel when their config allows), else the cell is stepped. Both compute the
 *    same function. Padding (`mask` or `seqLengths`): padded steps keep the previous
 *    state; the final state is the one after each row's last real step.
 * 3. The shared output rules: `maskedOutput`, `keepOrder`, `returnSequences`.
 *
 * Differentiable with `tf.grad` / `tf.variableGrads` with respect to `xs`, `params`
 * (tensors or `tf.Variable`s) and `initialState`. The caller owns everything returned;
 * `scan` neither keeps nor disposes its inputs and leaks nothing.
 *
 * ```ts
 * const { outputs, state } = scan(cell, params, xs, { seqLengths: [5, 3] });
 * // outputs [2, 5, units]; state.h is each row's state after its last real step
 * ```
 */
export function scan<C extends Carry, P extends Params>(
  cell: Cell<C, P>,
  params: P,
  xs: tf.Tensor3D,
  options?: ScanOptions<C>,
): ScanResult<C> {
  const plan = planScan(cell, params, xs, options);
  const borrowed = new Set<tf.Tensor>([xs, ...Object.values(params), ...Object.values(plan.initialState ?? {})]);
  // Never hand the caller one of its own tensors as a result (it would own it twice).
  const own = <T extends tf.Tensor>(t: T): T => (borrowed.has(t) ? (tf.clone(t) as T) : t);
  return tf.tidy(() => {
    const mask = realSteps(plan.mask, plan.batch, plan.time);
    const carry0 = plan.initialState ?? cell.initCarry(plan.batch);
    // The last output processed is read from 'previous' outputs, whatever padded steps emit.
    const maskedOutput = plan.returnSequences ? plan.maskedOutput : 'previous';
    const sequenceOptions = { reverse: plan.reverse, maskedOutput, ...(mask === undefined ? {} : { mask }) };
    const { ys, carry } =
      cell.sequence === undefined
        ? stepSequence(cell, params, xs, carry0, sequenceOptions)
        : cell.sequence(params, xs, carry0, sequenceOptions);
    const result = lastOutputState(cell, plan, carry) ?? applyOutputRules(cell, plan, ys, mask);
    // A cell may return its new state as its output: one tensor must not be handed out twice.
    const aliased = plan.returnState && Object.values(carry).includes(result);
    const outputs = aliased ? tf.clone(result) : own(result);
    if (!plan.returnState) return { outputs };
    const state = Object.fromEntries(Object.entries(carry).map(([k, v]) => [k, own(v)])) as unknown as C;
    return { outputs, state } as unknown as tf.TensorContainerObject;
  }) as unknown as ScanResult<C>;
}

/**
 * `ys` (input time order; padded steps as `Cell.sequence` emits them) turned into what
 * `scan` returns.
 *
 * tfjs-layers' `rnn()` emits its previous output at a padded step, and before a row's
 * first real step that is the initial state's output (`states[0]`). A sequence form
 * emits zeros there; with `'previous'` the initial output is added at the steps where no
 * real step has been processed yet, counted in processing order. Rows with none at all
 * return it as their last output too, as tfjs-layers does.
 */
function applyOutputRules<C extends Carry>(
  cell: Cell<C>,
  plan: ScanPlan<C>,
  ys: tf.Tensor3D,
  mask: tf.Tensor2D | undefined,
): tf.Tensor {
  const { batch, time, reverse } = plan;
  let out: tf.Tensor3D = ys;
  const initialOutput = plan.maskedOutput === 'previous' ? initialOutputOf(cell, plan) : undefined;
  if (mask !== undefined && initialOutput !== undefined) {
    const seen = tf.cumsum(mask, 1, false, reverse);
    const before = tf.expandDims(tf.cast(tf.equal(seen, 0), 'float32'), 2);
    out = tf.add(out, tf.mul(before, tf.expandDims(initialOutput, 1))) as tf.Tensor3D;
  }
  if (!plan.returnSequences) {
    return tf.reshape(tf.slice(out, [0, reverse ? 0 : time - 1, 0], [batch, 1, cell.outputSize]), [
      batch,
      cell.outputSize,
    ]);
  }
  // Without keepOrder, reverse means processing order (tfjs-layers `goBackwards`).
  return reverse && !plan.keepOrder ? tf.reverse(out, 1) : out;
}

/**
 * The last output (`returnSequences: false`) of a cell that declares its output state:
 * that entry of the final state. A row's last output under the output rules is its state
 * after its last real step ('previous' repeats it over trailing padding), or the initial
 * state's output when it has none, and the final state is then the initial state.
 */
function lastOutputState<C extends Carry>(cell: Cell<C>, plan: ScanPlan<C>, carry: C): tf.Tensor | undefined {
  if (plan.returnSequences || cell.outputState === undefined) return undefined;
  return carry[cell.outputState];
}

/**
 * The initial state's output: its first entry of shape `[batch, outputSize]` in
 * `initCarry` order (`h` of LSTM, GRU, Elman; `y` of Jordan), as tfjs' `states[0]`.
 */
function initialOutputOf<C extends Carry>(cell: Cell<C>, plan: ScanPlan<C>): tf.Tensor2D | undefined {
  const initial = plan.initialState;
  if (initial === undefined) return undefined;
  for (const [key, rest] of carryShapes(cell)) {
    if (rest.length === 1 && rest[0] === cell.outputSize) return initial[key] as tf.Tensor2D;
  }
  return undefined;
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
