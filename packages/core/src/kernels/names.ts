/**
 * Recur's whole-sequence kernels: names, inputs, attributes and outputs, in the style of
 * tfjs' `kernel_names.ts`. One name leads to its reference implementation
 * (`kernels/reference/*.ts`), its gradient (`kernels/dispatch.ts`) and each backend's
 * fused version (`backend-<name>/src/kernels/<Name>.ts`).
 *
 * Shared conventions (B batch, T time, I input size, H units, G gates):
 * - `x [B, T, I]` batch-major; `kernel [I, G·H]`, `recurrentKernel [H, G·H]`, `bias [G·H]`
 *   in Keras / tfjs-layers layout and gate order (LSTM i, f, c, o; GRU z, r, h).
 * - `mask [B, T]` float32, 1 = real step, 0 = padding. Padded steps keep the previous
 *   state. A kernel invoked through the registry always receives a mask (all ones when
 *   the caller gave none).
 * - `attrs.reverse`: steps run from t = T−1 down to 0. Every time axis (ys, workspace) is
 *   still indexed by input time t.
 * - `ys [B, T, H]`: the output at each input step: the new h at real steps; at padded
 *   steps zeros (`maskedOutput: 'zeros'`) or the output of the last real step processed,
 *   zeros before the first (`'previous'`).
 * - The workspace outputs (time-major, `[T, B, ·]`, indexed by input time) are what the
 *   backward pass needs. Their layout is part of the contract, so a backend may register
 *   a fused forward without a backward and the reference backward still works on its
 *   workspace. Values at padded steps are unspecified.
 * - The backward kernel (`…Grad`) takes the forward's inputs, its workspace and the
 *   gradients of its visible outputs, and returns the gradients of the forward's inputs
 *   other than the mask, in the order listed in its `…_OUTPUTS` constant.
 *
 * A cell runs one of these kernels from its own `sequence` (LSTM, GRU and Elman in
 * @recur/cells, when their config is what the kernel computes and their activations are
 * in `SEQUENCE_KERNEL_ACTIVATIONS`); other cells are stepped by `scan`.
 */
import type { NamedTensorInfoMap } from '@tensorflow/tfjs-core';

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

/** Attributes every sequence kernel takes. */
export interface SequenceKernelCommonAttrs {
  /** The candidate / output activation (`tanh` in Keras). */
  activation: SequenceKernelActivation;
  reverse: boolean;
  maskedOutput: MaskedOutput;
}

// ---------------------------------------------------------------------------------------
// LSTM: z = x·W + h·U + b; i, f, o = σ(z_i, z_f, z_o); g = act(z_c);
// c' = f⊙c + i⊙g; h' = o⊙act(c').

export const RecurLstmSequence = 'RecurLstmSequence';
/** `x [B,T,I]`, `kernel [I,4H]`, `recurrentKernel [H,4H]`, `bias [4H]`, `h0, c0 [B,H]`, `mask [B,T]`. */
export type RecurLstmSequenceInputs = Pick<
  NamedTensorInfoMap,
  'x' | 'kernel' | 'recurrentKernel' | 'bias' | 'h0' | 'c0' | 'mask'
>;
export interface RecurLstmSequenceAttrs extends SequenceKernelCommonAttrs {
  /** The gate activation σ (`sigmoid` in Keras 3, `hardSigmoid` in tfjs-layers). */
  recurrentActivation: SequenceKernelActivation;
}
/**
 * `ys [B,T,H]`, `hT [B,H]`, `cT [B,H]` (state after the last real step of each row), then
 * the workspace: `gates [T,B,4H]` (i, f, g, o after their activations), `hs [T,B,H]` and
 * `cs [T,B,H]` (the state after each step, padded steps included).
 */
export const RECUR_LSTM_SEQUENCE_OUTPUTS = ['ys', 'hT', 'cT', 'gates', 'hs', 'cs'] as const;

export const RecurLstmSequenceGrad = 'RecurLstmSequenceGrad';
/** The forward's inputs and workspace, plus `dys [B,T,H]`, `dhT [B,H]`, `dcT [B,H]`. */
export type RecurLstmSequenceGradInputs = Pick<
  NamedTensorInfoMap,
  'x' | 'kernel' | 'recurrentKernel' | 'bias' | 'h0' | 'c0' | 'mask' | 'gates' | 'hs' | 'cs' | 'dys' | 'dhT' | 'dcT'
>;
export type RecurLstmSequenceGradAttrs = RecurLstmSequenceAttrs;
export const RECUR_LSTM_SEQUENCE_GRAD_OUTPUTS = ['x', 'kernel', 'recurrentKernel', 'bias', 'h0', 'c0'] as const;

// ---------------------------------------------------------------------------------------
// GRU: z, r = σ(x·W_zr + b + h·U_zr); h' = z⊙h + (1−z)⊙h̃ with
//   resetAfter false (tfjs-layers): h̃ = act(x·W_h + b_h + (r⊙h)·U_h)
//   resetAfter true (Keras, PyTorch): h̃ = act(x·W_h + b_xh + r⊙(h·U_h + b_hh))

export const RecurGruSequence = 'RecurGruSequence';
/**
 * As LSTM with 3 gates and no `c0`. `bias` is `[3H]`, or `[2, 3H]` (input bias, recurrent
 * bias, as Keras) when `resetAfter`.
 */
export type RecurGruSequenceInputs = Pick<
  NamedTensorInfoMap,
  'x' | 'kernel' | 'recurrentKernel' | 'bias' | 'h0' | 'mask'
>;
export interface RecurGruSequenceAttrs extends SequenceKernelCommonAttrs {
  recurrentActivation: SequenceKernelActivation;
  /** Apply the reset gate after the recurrent product (Keras default, cuDNN) or before it (tfjs-layers). */
  resetAfter: boolean;
}
/**
 * `ys [B,T,H]`, `hT [B,H]`, then the workspace: `gates [T,B,3H]` (z, r, h̃ after their
 * activations) or, when `resetAfter`, `[T,B,4H]` with `h·U_h + b_hh` as the fourth block;
 * `hs [T,B,H]`.
 */
export const RECUR_GRU_SEQUENCE_OUTPUTS = ['ys', 'hT', 'gates', 'hs'] as const;

export const RecurGruSequenceGrad = 'RecurGruSequenceGrad';
export type RecurGruSequenceGradInputs = Pick<
  NamedTensorInfoMap,
  'x' | 'kernel' | 'recurrentKernel' | 'bias' | 'h0' | 'mask' | 'gates' | 'hs' | 'dys' | 'dhT'
>;
export type RecurGruSequenceGradAttrs = RecurGruSequenceAttrs;
export const RECUR_GRU_SEQUENCE_GRAD_OUTPUTS = ['x', 'kernel', 'recurrentKernel', 'bias', 'h0'] as const;

// ---------------------------------------------------------------------------------------
// Elman (simple RNN): h' = act(x·W + h·U + b).

export const RecurElmanSequence = 'RecurElmanSequence';
/** `x [B,T,I]`, `kernel [I,H]`, `recurrentKernel [H,H]`, `bias [H]`, `h0 [B,H]`, `mask [B,T]`. */
export type RecurElmanSequenceInputs = Pick<
  NamedTensorInfoMap,
  'x' | 'kernel' | 'recurrentKernel' | 'bias' | 'h0' | 'mask'
>;
export type RecurElmanSequenceAttrs = SequenceKernelCommonAttrs;
/** `ys [B,T,H]`, `hT [B,H]`, then the workspace `hs [T,B,H]`. */
export const RECUR_ELMAN_SEQUENCE_OUTPUTS = ['ys', 'hT', 'hs'] as const;

export const RecurElmanSequenceGrad = 'RecurElmanSequenceGrad';
export type RecurElmanSequenceGradInputs = Pick<
  NamedTensorInfoMap,
  'x' | 'kernel' | 'recurrentKernel' | 'bias' | 'h0' | 'mask' | 'hs' | 'dys' | 'dhT'
>;
export type RecurElmanSequenceGradAttrs = RecurElmanSequenceAttrs;
export const RECUR_ELMAN_SEQUENCE_GRAD_OUTPUTS = ['x', 'kernel', 'recurrentKernel', 'bias', 'h0'] as const;

/**
 * Every Recur kernel name, forward and backward. A backend plug-in registers from one
 * list; its test checks that list has no duplicates and covers this one.
 */
export const SEQUENCE_KERNEL_NAMES = [
  RecurLstmSequence,
  RecurLstmSequenceGrad,
  RecurGruSequence,
  RecurGruSequenceGrad,
  RecurElmanSequence,
  RecurElmanSequenceGrad,
] as const;
export type RecurKernelName = (typeof SEQUENCE_KERNEL_NAMES)[number];
