/**
 * Recur's WebAssembly sequence kernels (asm/, AssemblyScript with SIMD), instantiated once
 * per tfjs wasm backend with that backend's heap as their memory, so they read and write
 * tensors where tfjs keeps them: no copy in, no copy out.
 */
import { RecurError } from '@recur/core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { SEQUENCE_KERNELS_WASM, type SequenceKernelsWasmExports } from '../generated/sequence-kernels-wasm.js';
import { kernelBinary, type SequenceKernelsBuild, sequenceKernelsBuild } from './kernel-build.js';

/** What Recur uses of tfjs' `BackendWasm` and its emscripten module. */
export interface WasmBackendLike {
  readonly wasm: {
    _malloc(bytes: number): number;
    _free(pointer: number): void;
    /** The module's exports (tfjs' single-threaded builds export their memory). */
    readonly asm?: { readonly memory?: unknown };
    /** The memory tfjs' multi-threaded build creates and imports. */
    readonly wasmMemory?: unknown;
  };
  readonly dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
}

/**
 * The module's exports, typed from the compiler's declarations: pointers are byte offsets
 * in the heap, activations their index in core's `SEQUENCE_KERNEL_ACTIVATIONS`.
 */
export type SequenceKernelExports = SequenceKernelsWasmExports;

const compiled = new Map<string, WebAssembly.Module>();
/** Per backend, the kernels and the build they came from: a change of build binds anew. */
const instances = new WeakMap<
  object,
  { readonly build: SequenceKernelsBuild; readonly exports: SequenceKernelExports }
>();

function decode(base64: string): Uint8Array<ArrayBuffer> {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

let supported: boolean | undefined;

/** Whether this engine runs the kernels' module (WebAssembly SIMD: Chrome 91, Firefox 89, Safari 16.4, Node 16.4). */
export function sequenceKernelsSupported(): boolean {
  supported ??= typeof WebAssembly === 'object' && WebAssembly.validate(decode(SEQUENCE_KERNELS_WASM));
  return supported;
}

/** The tfjs heap as a `WebAssembly.Memory`, whichever tfjs build is running. */
export function heapMemory(backend: WasmBackendLike): WebAssembly.Memory {
  const candidates = [backend.wasm?.asm?.memory, backend.wasm?.wasmMemory];
  const memory = candidates.find((m): m is WebAssembly.Memory => m instanceof WebAssembly.Memory);
  if (memory === undefined) {
    throw new RecurError(
      'BACKEND_UNAVAILABLE',
      "Recur's wasm sequence kernels: expected the tfjs wasm backend to expose its WebAssembly.Memory (module.asm.memory or module.wasmMemory), received none",
    );
  }
  return memory;
}

function compiledModule(shared: boolean): WebAssembly.Module {
  const key = `${sequenceKernelsBuild()}/${shared ? 'shared' : 'plain'}`;
  let module = compiled.get(key);
  if (module === undefined) {
    module = new WebAssembly.Module(decode(kernelBinary(shared)));
    compiled.set(key, module);
  }
  return module;
}

/** The kernels bound to `backend`'s heap, instantiated on first use. */
export function kernelsFor(backend: object): SequenceKernelExports {
  const existing = instances.get(backend);
  if (existing?.build === sequenceKernelsBuild()) return existing.exports;
  const memory = heapMemory(backend as unknown as WasmBackendLike);
  const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
  const module = compiledModule(shared);
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  const exports = instance.exports as unknown as SequenceKernelExports;
  instances.set(backend, { build: sequenceKernelsBuild(), exports });
  return exports;
}

/**
 * The shared-memory twin of the chosen build (plain or relaxed SIMD), compiled, for
 * Recur's own thread pool (threads/); undefined
 * where the engine lacks WebAssembly threads.
 */
export function sharedKernelsModule(): WebAssembly.Module | undefined {
  if (!sequenceKernelsSupported() || !WebAssembly.validate(decode(kernelBinary(true)))) return undefined;
  return compiledModule(true);
}
