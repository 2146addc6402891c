/**
 * Calling a kernel of the WebAssembly module on tensors in tfjs' heap: inputs checked and
 * located, outputs made by tfjs' allocator, scratch space borrowed from it and returned.
 * Pointers (byte offsets) stay valid when the heap grows; typed-array views would not,
 * which is why nothing here keeps one.
 */
import {
  badArgument,
  RecurError,
  SEQUENCE_KERNEL_ACTIVATIONS,
  type SequenceKernelActivation,
  type SequenceKernelCommonAttrs,
} from '@recur/core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { poolFor } from '../threads/backend-pools.js';
import { type BatchLayout, runSplit } from '../threads/split-call.js';
import { heapMemory, kernelsFor, type SequenceKernelExports, type WasmBackendLike } from './module.js';

// A wrong size would make the module read past a buffer: every kernel checks its inputs with core's `expectShape`.
export { expectShape } from '@recur/core/kernel-api';
export type { BatchLayout } from '../threads/split-call.js';

/** Attributes of every sequence kernel as the module takes them. */
export interface KernelAttrs {
  readonly activation: number;
  readonly recurrentActivation: number;
  readonly reverse: boolean;
  /** `maskedOutput: 'zeros'` (else `'previous'`). */
  readonly zeros: boolean;
  readonly resetAfter: boolean;
  /** The backward skips dX (core's `skipGradients` holds `x`: nobody asked for it). */
  readonly skipX: boolean;
}

/** Whether a backward kernel's attributes ask it to skip the gradient of `x` (core's lazy-gradients.ts). */
export function skipsX(attrs: { skipGradients?: unknown }): boolean {
  return Array.isArray(attrs.skipGradients) && attrs.skipGradients.includes('x');
}

function activationCode(kernel: string, argument: string, value: unknown): number {
  const code = SEQUENCE_KERNEL_ACTIVATIONS.indexOf(value as SequenceKernelActivation);
  if (code < 0) {
    throw badArgument('BAD_CONFIG', `${kernel} attribute '${argument}'`, SEQUENCE_KERNEL_ACTIVATIONS.join(', '), value);
  }
  return code;
}

/** The attributes of a recurrent sequence kernel as codes; `resetAfter` only for GRU. */
export function kernelAttrs(
  kernel: string,
  attrs: SequenceKernelCommonAttrs & { recurrentActivation?: unknown; resetAfter?: unknown; skipGradients?: unknown },
  gated: boolean,
): KernelAttrs {
  const maskedOutput = attrs.maskedOutput;
  if (maskedOutput !== 'zeros' && maskedOutput !== 'previous') {
    throw badArgument('BAD_CONFIG', `${kernel} attribute 'maskedOutput'`, "'zeros' or 'previous'", maskedOutput);
  }
  return {
    activation: activationCode(kernel, 'activation', attrs.activation),
    recurrentActivation: gated ? activationCode(kernel, 'recurrentActivation', attrs.recurrentActivation) : 0,
    reverse: attrs.reverse === true,
    zeros: maskedOutput === 'zeros',
    resetAfter: attrs.resetAfter === true,
    skipX: skipsX(attrs),
  };
}

/** The byte offset of `info`'s values in tfjs' heap; throws unless the tensor lives on the wasm backend. */
export function heapOffset(heap: WasmBackendLike, info: TensorInfo): number {
  const data = heap.dataIdMap.get(info.dataId);
  if (data === undefined) throw badArgument('BAD_DATA', 'wasm kernel input', 'a tensor on the wasm backend', info);
  return data.memoryOffset;
}

/** What a kernel body receives: the module, the byte offset of any tensor, the outputs' offsets and the scratch. */
export interface HeapCall<K extends string> {
  readonly kernels: SequenceKernelExports;
  readonly at: (info: TensorInfo) => number;
  readonly outputs: { readonly [N in K]: number };
  readonly scratch: number;
  /** The rows this call runs: the whole batch, or one thread's share of it. */
  readonly batch: number;
}

/**
 * Makes float32 outputs of `shapes` (by name), borrows `scratchBytes(kernels, batch)` bytes
 * of 16-byte aligned scratch, runs `body`, and returns the outputs by name (owned by the
 * caller, as any kernel's). If `body` throws, the outputs are disposed and the scratch freed.
 * Where the backend has a thread pool, `layout` gives two rows or more and does not opt
 * out (`threads: false`), the call is split by rows over the threads instead
 * (threads/split-call.ts).
 */
export function runInHeap<K extends string>(
  backend: object,
  shapes: { readonly [N in K]: number[] },
  scratchBytes: (kernels: SequenceKernelExports, batch: number) => number,
  body: (call: HeapCall<K>) => void,
  layout: BatchLayout,
): { [N in K]: TensorInfo } {
  const heap = backend as unknown as WasmBackendLike;
  const pool = poolFor(backend);
  if (pool !== undefined && layout.batch >= 2 && layout.threads !== false) {
    return runSplit(heap, heapMemory(heap), pool, shapes, scratchBytes, body, layout);
  }
  const kernels = kernelsFor(backend);
  const at = (info: TensorInfo): number => heapOffset(heap, info);
  const names = Object.keys(shapes) as K[];
  const made = names.map((name) => heap.makeOutput(shapes[name], 'float32'));
  const bytes = scratchBytes(kernels, layout.batch) + 16;
  const raw = heap.wasm._malloc(bytes);
  if (raw === 0) {
    for (const info of made) heap.disposeData(info.dataId, true);
    throw new RecurError(
      'BACKEND_UNAVAILABLE',
      `wasm sequence kernel: expected ${bytes} bytes of scratch from tfjs' heap, received none (out of memory)`,
    );
  }
  try {
    const outputs = Object.fromEntries(names.map((name, i) => [name, at(made[i] as TensorInfo)]));
    body({
      kernels,
      at,
      outputs: outputs as HeapCall<K>['outputs'],
      scratch: raw + ((16 - (raw % 16)) % 16),
      batch: layout.batch,
    });
  } catch (error) {
    for (const info of made) heap.disposeData(info.dataId, true);
    throw error;
  } finally {
    heap.wasm._free(raw);
  }
  return Object.fromEntries(names.map((name, i) => [name, made[i]])) as { [N in K]: TensorInfo };
}
