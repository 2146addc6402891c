/**
 * What a whole-sequence kernel is, in one object: its tfjs kernel names, its typed inputs,
 * attributes, outputs and saved workspace, its reference forward in tfjs ops and its
 * reference gradient. Dispatch (`runKernel`), gradient registration, the parity harness
 * and every backend's registration read descriptors and nothing else, so adding a kernel
 * is one descriptor file in core plus one file per backend that fuses it.
 *
 * Contract of the tfjs kernels a backend registers under `name` and `gradName`:
 * - the forward receives every input (absent optional ones filled by `complete`) and
 *   returns the visible `outputs` in order, then the `workspace` in order;
 * - the backward receives the forward's inputs, its workspace, the visible outputs named
 *   in `savedOutputs`, and the gradient `d<output>` of each visible output; it returns the
 *   gradients of the `differentiable` inputs, in that order.
 * Because the workspace layout is part of the contract, a backend may fuse the forward
 * alone and the reference backward still runs on its workspace.
 */
import type * as tf from '@tensorflow/tfjs-core';

/** Tensors by name; an optional input may be absent. */
export type TensorMap = { readonly [name: string]: tf.Tensor | undefined };

/** Tensors by name, each present. */
export type DefinedTensorMap = { readonly [name: string]: tf.Tensor };

/**
 * The types of one kernel: its inputs (optional ones marked `?`), attributes, visible
 * outputs, workspace (extra outputs the backward reads), the names of its differentiable
 * inputs and the names of the visible outputs its backward reads.
 */
export interface KernelSignature {
  readonly inputs: TensorMap;
  readonly attrs: object;
  readonly outputs: DefinedTensorMap;
  readonly workspace: DefinedTensorMap;
  readonly differentiable: string;
  readonly savedOutputs: string;
}

/** The gradient of each visible output, named `d<output>` (`dys`, `dhT`, …). */
export type OutputGradients<Out> = { readonly [K in keyof Out & string as `d${K}`]: tf.Tensor };

/** Every input present: what a registered kernel receives. */
export type CompleteInputs<In> = { readonly [K in keyof In]-?: Exclude<In[K], undefined> };

/** What a backward pass reads: the forward's inputs, workspace, saved outputs and output gradients. */
export type GradientInputs<S extends KernelSignature> = S['inputs'] &
  S['workspace'] &
  Pick<S['outputs'], S['savedOutputs'] & keyof S['outputs']> &
  OutputGradients<S['outputs']>;

/** The gradient of each differentiable input, by the input's name. */
export type InputGradients<S extends KernelSignature> = { readonly [K in S['differentiable']]: tf.Tensor };

/**
 * Random draws for a kernel's example inputs, seeded by the harness. Each named draw may
 * be pinned by the caller (`{ batch: 6, reverse: true }`), which is how tests ask for
 * large shapes or one activation without knowing the kernel.
 */
export interface ExampleSource {
  /** An integer in [min, max]. */
  int(name: string, min: number, max: number): number;
  bool(name: string): boolean;
  pick<T extends string>(name: string, options: readonly T[]): T;
  /** A float32 tensor of uniform values in [low, high]. */
  uniform(shape: readonly number[], low: number, high: number): tf.Tensor;
  /** `[batch, time]` of 0/1 with padding anywhere; row 0 all real. */
  mask(batch: number, time: number): tf.Tensor2D;
  /** Half-width of weights and states; tests lower it where activations explode. */
  readonly scale: number;
}

export interface KernelExample<S extends KernelSignature> {
  readonly inputs: S['inputs'];
  readonly attrs: S['attrs'];
}

/** One custom kernel described once: its forward and backward tfjs names, inputs and outputs in order, argument checks and reference implementation, shared by every backend. */
export interface KernelDescriptor<S extends KernelSignature> {
  /** The forward kernel's tfjs name (`RecurLstmSequence`). */
  readonly name: string;
  /** The backward kernel's tfjs name (`RecurLstmSequenceGrad`). */
  readonly gradName: string;
  /** Every input, in a fixed order. */
  readonly inputs: readonly (keyof S['inputs'] & string)[];
  /** The inputs of dtype int32 (lengths, class ids); every other input is float32. */
  readonly integerInputs?: readonly (keyof S['inputs'] & string)[];
  /** The inputs with a gradient, in the order the backward kernel returns them. */
  readonly differentiable: readonly S['differentiable'][];
  /** The visible outputs `runKernel` returns, in the forward kernel's order. */
  readonly outputs: readonly (keyof S['outputs'] & string)[];
  /** Outputs after the visible ones, kept for the backward pass only. */
  readonly workspace: readonly (keyof S['workspace'] & string)[];
  /** Visible outputs the backward pass reads. */
  readonly savedOutputs: readonly S['savedOutputs'][];
  /** Throws `RecurError` naming the first input or attribute that does not fit. */
  validate(inputs: S['inputs'], attrs: S['attrs']): void;
  /** The inputs with each absent optional one filled in (all-real mask, zero state). */
  complete(inputs: S['inputs']): CompleteInputs<S['inputs']>;
  /** The forward in tfjs ops: visible outputs and workspace. The caller owns them. */
  reference(inputs: S['inputs'], attrs: S['attrs']): S['outputs'] & S['workspace'];
  /** The backward in tfjs ops. The caller owns the gradients. */
  referenceGrad(inputs: GradientInputs<S>, attrs: S['attrs']): InputGradients<S>;
  /** Random valid inputs for the parity harness. The caller owns the tensors. */
  example(source: ExampleSource): KernelExample<S>;
}

/**
 * Any descriptor, for code that iterates them (dispatch, registration, the harness): the
 * name lists as strings, the functions callable only through a cast to the signature.
 */
export interface AnyKernelDescriptor {
  readonly name: string;
  readonly gradName: string;
  readonly inputs: readonly string[];
  readonly integerInputs?: readonly string[];
  readonly differentiable: readonly string[];
  readonly outputs: readonly string[];
  readonly workspace: readonly string[];
  readonly savedOutputs: readonly string[];
  validate(inputs: never, attrs: never): void;
  complete(inputs: never): DefinedTensorMap;
  reference(inputs: never, attrs: never): DefinedTensorMap;
  referenceGrad(inputs: never, attrs: never): DefinedTensorMap;
  example(source: ExampleSource): { readonly inputs: TensorMap; readonly attrs: object };
}

/** A descriptor's signature. */
export type SignatureOf<D> = D extends KernelDescriptor<infer S> ? S : never;

/**
 * Declares a kernel. The identity at run time; its type parameter ties the name lists,
 * the reference and the gradient to one signature.
 */
export function defineKernel<S extends KernelSignature>(descriptor: KernelDescriptor<S>): KernelDescriptor<S> {
  return Object.freeze(descriptor);
}
