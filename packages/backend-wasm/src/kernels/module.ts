/**
 * Recur's WebAssembly sequence kernels (asm/, AssemblyScript with SIMD), instantiated once
 * per tfjs wasm backend with that backend's heap as their memory, so they read and write
 * tensors where tfjs keeps them: no copy in, no copy out.
 */
import { RecurError } from '@recur/core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import {
  SEQUENCE_KERNELS_WASM,
  SEQUENCE_KERNELS_WASM_RELAXED,
  SEQUENCE_KERNELS_WASM_RELAXED_SHARED,
  SEQUENCE_KERNELS_WASM_SHARED,
  type SequenceKernelsWasmExports,
} from '../generated/sequence-kernels-wasm.js';

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
let instances = new WeakMap<object, SequenceKernelExports>();

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

/**
 * The two builds of the kernels, from one source (asm/fma.ts): WebAssembly SIMD, and
 * relaxed SIMD, whose products use `f32x4.relaxed_madd` (fused multiply-add where the
 * CPU has it, so its results may differ from the plain build's by rounding).
 */
export type SequenceKernelsBuild = 'simd' | 'relaxed-simd';

const BINARIES: Record<SequenceKernelsBuild, { readonly plain: string; readonly shared: string }> = {
  simd: { plain: SEQUENCE_KERNELS_WASM, shared: SEQUENCE_KERNELS_WASM_SHARED },
  'relaxed-simd': { plain: SEQUENCE_KERNELS_WASM_RELAXED, shared: SEQUENCE_KERNELS_WASM_RELAXED_SHARED },
};

let relaxedValidates: boolean | undefined;
let relaxedAllowed = true;

/**
 * Whether this engine validates the relaxed-SIMD build: the module itself is the probe,
 * so the answer is about exactly what would run. Checked here: Node 20 (V8 11.3) only
 * with `--experimental-wasm-relaxed-simd`; Node 21 (V8 11.8) and 22 (V8 12.4) without
 * a flag; Chromium from 114 (Chromium 156 in the browser tests). Other engines were
 * not checked: where the module does not validate, the plain build runs.
 */
export function relaxedSimdSupported(): boolean {
  relaxedValidates ??= typeof WebAssembly === 'object' && WebAssembly.validate(decode(SEQUENCE_KERNELS_WASM_RELAXED));
  return relaxedValidates;
}

/** The build that kernels bound from now on run: relaxed SIMD where the engine validates it, unless forbidden. */
export function sequenceKernelsBuild(): SequenceKernelsBuild {
  return relaxedAllowed && relaxedSimdSupported() ? 'relaxed-simd' : 'simd';
}

/**
 * Allows or forbids the relaxed build (`wasmWith({ relaxedSimd })`, at setup). Kernels
 * already bound to a backend were made from the other build when this changes the
 * choice, so they are forgotten and the next call binds the chosen one.
 */
export function allowRelaxedSimd(allow: boolean): void {
  if (allow === relaxedAllowed) return;
  relaxedAllowed = allow;
  instances = new WeakMap();
}

/** The tfjs heap as a `WebAssembly.Memory`, whichever tfjs build is running. */
function heapMemory(backend: WasmBackendLike): WebAssembly.Memory {
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
  const build = sequenceKernelsBuild();
  const key = `${build}/${shared ? 'shared' : 'plain'}`;
  let module = compiled.get(key);
  if (module === undefined) {
    module = new WebAssembly.Module(decode(BINARIES[build][shared ? 'shared' : 'plain']));
    compiled.set(key, module);
  }
  return module;
}

/** The kernels bound to `backend`'s heap, instantiated on first use. */
export function kernelsFor(backend: object): SequenceKernelExports {
  const existing = instances.get(backend);
  if (existing !== undefined) return existing;
  const memory = heapMemory(backend as unknown as WasmBackendLike);
  const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
  const module = compiledModule(shared);
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  const exports = instance.exports as unknown as SequenceKernelExports;
  instances.set(backend, exports);
  return exports;
}
