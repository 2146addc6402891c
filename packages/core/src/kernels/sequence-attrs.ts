/**
 * Attributes shared by the gated sequence kernels (LSTM, GRU, Elman) and their checks.
 */
import { badArgument } from '../errors.js';

/** Activations the sequence kernels implement: those whose derivative follows from their output. */
export const SEQUENCE_KERNEL_ACTIVATIONS = [
  'linear',
  'sigmoid',
  'hardSigmoid',
  'tanh',
  'relu',
  'relu6',
  'elu',
  'selu',
  'softsign',
  'softplus',
  'exponential',
] as const;
export type SequenceKernelActivation = (typeof SEQUENCE_KERNEL_ACTIVATIONS)[number];

/** What a padded step emits: zeros (Keras `zero_output_for_mask`) or the last real output. */
export type MaskedOutput = 'zeros' | 'previous';
const MASKED_OUTPUTS: readonly MaskedOutput[] = ['zeros', 'previous'];

/** Attributes every recurrent sequence kernel takes. */
export interface SequenceKernelCommonAttrs {
  /** The candidate / output activation (`tanh` in Keras). */
  readonly activation: SequenceKernelActivation;
  /** Steps run from t = T−1 down to 0; every time axis is still indexed by input time. */
  readonly reverse: boolean;
  readonly maskedOutput: MaskedOutput;
}

/** Attributes of the gated kernels (LSTM, GRU). */
export interface GatedSequenceAttrs extends SequenceKernelCommonAttrs {
  /** The gate activation σ (`sigmoid` in Keras 3, `hardSigmoid` in tfjs-layers). */
  readonly recurrentActivation: SequenceKernelActivation;
}

function expectActivation(kernel: string, attr: string, value: unknown): void {
  if (!(SEQUENCE_KERNEL_ACTIVATIONS as readonly unknown[]).includes(value)) {
    throw badArgument(
      'BAD_CONFIG',
      `${kernel} attrs.${attr}`,
      `one of ${SEQUENCE_KERNEL_ACTIVATIONS.join(', ')}`,
      value,
    );
  }
}

/** Throws unless `value` is a boolean attribute. */
export function expectBooleanAttr(kernel: string, attr: string, value: unknown): void {
  if (typeof value !== 'boolean') throw badArgument('BAD_CONFIG', `${kernel} attrs.${attr}`, 'a boolean', value);
}

/** Checks `activation`, `reverse`, `maskedOutput` and, when `gated`, `recurrentActivation`. */
export function validateSequenceAttrs(kernel: string, attrs: object, gated: boolean): void {
  if (typeof attrs !== 'object' || attrs === null)
    throw badArgument('BAD_CONFIG', `${kernel} attrs`, 'an object', attrs);
  const a = attrs as Partial<GatedSequenceAttrs>;
  expectActivation(kernel, 'activation', a.activation);
  if (gated) expectActivation(kernel, 'recurrentActivation', a.recurrentActivation);
  expectBooleanAttr(kernel, 'reverse', a.reverse);
  if (!(MASKED_OUTPUTS as readonly unknown[]).includes(a.maskedOutput)) {
    throw badArgument('BAD_CONFIG', `${kernel} attrs.maskedOutput`, "'zeros' or 'previous'", a.maskedOutput);
  }
}
