/**
 * Reads a cell's `sequenceKernel` spec and checks its params against the kernel's layout
 * (Keras: `kernel [I, G·H]`, `recurrentKernel [H, G·H]`, `bias [G·H]`).
 */
import * as tf from '@tensorflow/tfjs-core';
import { ACTIVATION_NAMES, resolveActivationName } from '../activations.js';
import type { Cell, Params, SequenceKernelName } from '../cell.js';
import { badArgument } from '../errors.js';
import { RecurElmanSequence } from '../kernels/elman-sequence.js';
import { RecurGruSequence } from '../kernels/gru-sequence.js';
import { RecurLstmSequence } from '../kernels/lstm-sequence.js';
import { SEQUENCE_KERNEL_ACTIVATIONS, type SequenceKernelActivation } from '../kernels/sequence-attrs.js';

export interface KernelPlan {
  readonly name: SequenceKernelName;
  readonly units: number;
  /** Carry entries the kernel reads and writes. */
  readonly stateKeys: readonly ('h' | 'c')[];
  /** The kernel's attributes other than `reverse` and `maskedOutput`. */
  readonly attrs: {
    readonly activation: SequenceKernelActivation;
    readonly recurrentActivation?: SequenceKernelActivation;
    readonly resetAfter?: boolean;
  };
  readonly kernel: tf.Tensor2D;
  readonly recurrentKernel: tf.Tensor2D;
  readonly bias: tf.Tensor1D | tf.Tensor2D;
}

const GATES: Record<SequenceKernelName, number> = {
  [RecurLstmSequence]: 4,
  [RecurGruSequence]: 3,
  [RecurElmanSequence]: 1,
};

/**
 * The kernel to run for `cell`, or `undefined` when its activations have no kernel (swish,
 * gelu): the cell is then stepped, which computes the same function.
 */
export function resolveKernelPlan(cell: Cell, params: Params): KernelPlan | undefined {
  const spec = cell.sequenceKernel;
  const name = spec?.name;
  if (spec === undefined || name === undefined || !(name in GATES)) {
    throw badArgument('BAD_CONFIG', 'cell.sequenceKernel.name', `one of ${Object.keys(GATES).join(', ')}`, name);
  }
  const specAttrs = spec.attrs ?? {};
  const activation = activationAttr(specAttrs.activation, 'tanh', 'activation');
  const recurrentActivation =
    name === RecurElmanSequence
      ? undefined
      : activationAttr(specAttrs.recurrentActivation, 'sigmoid', 'recurrentActivation');
  let resetAfter: boolean | undefined;
  if (name === RecurGruSequence) {
    if (typeof specAttrs.resetAfter !== 'boolean') {
      throw badArgument('BAD_CONFIG', 'cell.sequenceKernel.attrs.resetAfter', 'a boolean', specAttrs.resetAfter);
    }
    resetAfter = specAttrs.resetAfter;
  }
  const gates = GATES[name];
  const { kernel, recurrentKernel, bias } = params as Record<string, unknown>;
  const paramsText = `params { kernel [${cell.inputSize}, ${gates}·units], recurrentKernel [units, ${gates}·units], bias [${gates}·units] } for ${name}`;
  for (const [key, value] of [
    ['kernel', kernel],
    ['recurrentKernel', recurrentKernel],
    ['bias', bias],
  ] as const) {
    if (!(value instanceof tf.Tensor))
      throw badArgument('BAD_CONFIG', `params.${key}`, `a tensor (${paramsText})`, value);
  }
  const r = recurrentKernel as tf.Tensor;
  const units = r.shape[0] ?? 0;
  if (r.rank !== 2 || units === 0 || r.shape[1] !== gates * units) {
    throw badArgument('SHAPE_MISMATCH', 'params.recurrentKernel', `shape [units, ${gates}·units]`, r);
  }
  const k = kernel as tf.Tensor;
  if (k.rank !== 2 || k.shape[0] !== cell.inputSize || k.shape[1] !== gates * units) {
    throw badArgument(
      'SHAPE_MISMATCH',
      'params.kernel',
      `shape [${cell.inputSize}, ${gates * units}] ([cell.inputSize, ${gates}·units], units = ${units} from recurrentKernel)`,
      k,
    );
  }
  const b = bias as tf.Tensor;
  const biasOk =
    (b.rank === 1 && b.shape[0] === gates * units) ||
    (resetAfter === true && b.rank === 2 && b.shape[0] === 2 && b.shape[1] === gates * units);
  if (!biasOk) {
    const expected =
      resetAfter === true ? `shape [${gates * units}] or [2, ${gates * units}]` : `shape [${gates * units}]`;
    throw badArgument('SHAPE_MISMATCH', 'params.bias', `${expected} (units = ${units})`, b);
  }
  if (specAttrs.units !== undefined && specAttrs.units !== units) {
    throw badArgument(
      'BAD_CONFIG',
      'cell.sequenceKernel.attrs.units',
      `${units} (from params.recurrentKernel)`,
      specAttrs.units,
    );
  }
  if (cell.outputSize !== units) {
    throw badArgument('BAD_CONFIG', 'cell.outputSize', `${units} (units of ${name})`, cell.outputSize);
  }
  if (activation === null || recurrentActivation === null) return undefined;
  return {
    name,
    units,
    stateKeys: name === RecurLstmSequence ? ['h', 'c'] : ['h'],
    attrs: {
      activation,
      ...(recurrentActivation === undefined ? {} : { recurrentActivation }),
      ...(resetAfter === undefined ? {} : { resetAfter }),
    },
    kernel: k as tf.Tensor2D,
    recurrentKernel: r as tf.Tensor2D,
    bias: b as tf.Tensor1D | tf.Tensor2D,
  };
}

/** The activation named by a spec attribute; `null` when it is valid but has no kernel. */
function activationAttr(
  value: unknown,
  fallback: SequenceKernelActivation,
  attr: string,
): SequenceKernelActivation | null {
  if (value === undefined) return fallback;
  let resolved: string;
  try {
    resolved = resolveActivationName(value);
  } catch {
    throw badArgument(
      'BAD_CONFIG',
      `cell.sequenceKernel.attrs.${attr}`,
      `one of ${ACTIVATION_NAMES.join(', ')}`,
      value,
    );
  }
  return (SEQUENCE_KERNEL_ACTIVATIONS as readonly string[]).includes(resolved)
    ? (resolved as SequenceKernelActivation)
    : null;
}
