/**
 * How a backend plug-in implements a descriptor: typed functions on tfjs `TensorInfo`s,
 * turned into the `KernelConfig`s tfjs registers under the descriptor's names. Inputs
 * arrive complete and named, attributes typed by the descriptor, and outputs are
 * returned by name and put in the descriptor's order here, so no backend repeats a
 * kernel's name, its input list or its output order.
 */
import type { KernelConfig, KernelFunc, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import { badArgument } from '../errors.js';
import type { AnyKernelDescriptor, GradientInputs, KernelDescriptor, KernelSignature } from './descriptor.js';
import { outputGradientNames } from './dispatch.js';

/** Every input of the forward, present, as the backend holds it. */
export type ForwardInfos<S extends KernelSignature> = { readonly [K in keyof S['inputs']]-?: TensorInfo };

/** Everything the backward reads, present, as the backend holds it. */
export type BackwardInfos<S extends KernelSignature> = { readonly [K in keyof GradientInputs<S>]-?: TensorInfo };

/** The forward's outputs: visible ones and workspace, by name. */
export type ForwardResult<S extends KernelSignature> = {
  readonly [K in keyof (S['outputs'] & S['workspace'])]: TensorInfo;
};

/** The gradient of each differentiable input, by name. */
export type BackwardResult<S extends KernelSignature> = { readonly [K in S['differentiable']]: TensorInfo };

export interface FusedFunctions<S extends KernelSignature, Backend> {
  forward(inputs: ForwardInfos<S>, attrs: S['attrs'], backend: Backend): ForwardResult<S>;
  /** Absent: the reference backward runs on the fused forward's workspace. */
  backward?(inputs: BackwardInfos<S>, attrs: S['attrs'], backend: Backend): BackwardResult<S>;
}

/**
 * A backend's implementation of one descriptor: fused kernels to register, or none
 * (`referenceKernel`), said explicitly so a backend's list covers every descriptor.
 */
export interface BackendKernel {
  readonly descriptor: AnyKernelDescriptor;
  readonly configs: readonly KernelConfig[];
}

/**
 * Throws unless each of `names` is a tensor in `inputs`, int32 if among `integers` and
 * float32 otherwise: a fused kernel trusts its inputs' kind.
 */
function expectInputs(
  kernel: string,
  inputs: NamedTensorInfoMap,
  names: readonly string[],
  integers: readonly string[],
): void {
  for (const name of names) {
    const info = inputs[name];
    const dtype = integers.includes(name) ? 'int32' : 'float32';
    if (info?.dtype !== dtype) throw badArgument('BAD_DATA', `${kernel} input '${name}'`, `a ${dtype} tensor`, info);
  }
}

function kernelConfig(
  kernelName: string,
  backendName: string,
  names: {
    readonly inputs: readonly string[];
    readonly integers: readonly string[];
    readonly outputs: readonly string[];
  },
  run: (inputs: never, attrs: never, backend: never) => object,
): KernelConfig {
  const kernelFunc: KernelFunc = ({ inputs, attrs, backend }) => {
    expectInputs(kernelName, inputs, names.inputs, names.integers);
    const named = run(inputs as never, (attrs ?? {}) as never, backend as never) as Record<string, TensorInfo>;
    return names.outputs.map((name) => named[name] as TensorInfo);
  };
  return { kernelName, backendName, kernelFunc };
}

/** `descriptor` fused on `backendName` by `functions`. */
export function fusedKernel<S extends KernelSignature, Backend>(
  descriptor: KernelDescriptor<S>,
  backendName: string,
  functions: FusedFunctions<S, Backend>,
): BackendKernel {
  const integers = descriptor.integerInputs ?? [];
  const forwardNames = {
    inputs: descriptor.inputs,
    integers,
    outputs: [...descriptor.outputs, ...descriptor.workspace],
  };
  const forward = kernelConfig(descriptor.name, backendName, forwardNames, (...a) => functions.forward(...a));
  const { backward } = functions;
  if (backward === undefined) return { descriptor, configs: [forward] };
  const read = [...descriptor.workspace, ...descriptor.savedOutputs, ...outputGradientNames(descriptor)];
  const backwardNames = { inputs: [...descriptor.inputs, ...read], integers, outputs: descriptor.differentiable };
  const configs = [forward, kernelConfig(descriptor.gradName, backendName, backwardNames, (...a) => backward(...a))];
  return { descriptor, configs };
}

/** `descriptor` left to core's reference on this backend. */
export function referenceKernel<S extends KernelSignature>(descriptor: KernelDescriptor<S>): BackendKernel {
  return { descriptor, configs: [] };
}

/** The `KernelConfig`s of a backend's kernels, in order. */
export function kernelConfigs(kernels: readonly BackendKernel[]): KernelConfig[] {
  return kernels.flatMap((k) => [...k.configs]);
}
