/**
 * A failed allocation in tfjs' wasm heap as an error instead of a corrupted heap.
 *
 * tfjs' wasm backend (4.22) takes `_malloc`'s result as a new tensor's address without
 * checking it. The heap grows up to 4 GiB (WebAssembly's 32-bit addresses); past that
 * malloc returns 0 and tfjs writes the tensor at address 0, over emscripten's static data
 * and the allocator's own bookkeeping. What follows is a crash somewhere else: "memory
 * access out of bounds" inside the next malloc, or `Aborted()` in tfjs' `registerTensor`
 * (W4's RWKV and mLSTM training steps at T = 2048, whose live tensors pass 4 GiB). The
 * guard makes the allocation itself throw, before anything is written.
 */
import { RecurError } from '@recur/core';
import { heapMemory, type WasmBackendLike } from './module.js';

const GUARDED = Symbol('recur heap guard');

type Malloc = ((bytes: number) => number) & { [GUARDED]?: true };

/** Wraps `backend`'s `_malloc` (once) so that a null result for a non-empty request throws a `RecurError`. */
export function guardHeap(backend: object): void {
  const wasm = (backend as WasmBackendLike).wasm as unknown as {
    _malloc: Malloc;
    asm?: { malloc?: (bytes: number) => number };
  };
  if (wasm._malloc[GUARDED]) return;
  // The module's own export: emscripten's `_malloc` stub replaces itself with it on first call.
  const malloc = wasm.asm?.malloc ?? wasm._malloc;
  const guarded: Malloc = (bytes: number) => {
    const pointer = malloc(bytes);
    if (pointer === 0 && bytes > 0) {
      const heapMiB = heapMemory(backend as WasmBackendLike).buffer.byteLength / 2 ** 20;
      throw new RecurError(
        'BACKEND_UNAVAILABLE',
        `wasm backend: expected ${bytes} bytes from tfjs' heap, received none (out of memory: the heap holds ${heapMiB.toFixed(0)} MiB of at most 4096, WebAssembly's 32-bit limit; a smaller batch, shorter sequences or TBPTT chunks need less)`,
      );
    }
    return pointer;
  };
  guarded[GUARDED] = true;
  wasm._malloc = guarded;
}
