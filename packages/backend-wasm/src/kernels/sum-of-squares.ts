/**
 * `RecurSumOfSquares` (core's `sumOfSquares`, Σ x² over a list of tensors) on the wasm
 * backend: asm/sum-of-squares.ts over each tensor in tfjs' heap, one dispatch for the list
 * instead of a `Square` and a `Sum` per tensor and an `AddN`.
 */
import { sumOfSquaresKernel } from '@recur/core/kernel-api';
import { heapOffset } from './heap.js';
import { heapMemory, kernelsFor, type WasmBackendLike } from './module.js';

export const sumOfSquaresWasm = sumOfSquaresKernel('wasm', {
  partial(info, backend: object) {
    const size = info.shape.reduce((a, b) => a * b, 1);
    return kernelsFor(backend).sumOfSquares(heapOffset(backend as WasmBackendLike, info), size);
  },
  scalar(value, backend: object) {
    const heap = backend as WasmBackendLike;
    const out = heap.makeOutput([], 'float32');
    // A fresh view: the heap may have grown (and its buffer moved) while the output was made.
    new Float32Array(heapMemory(heap).buffer, heapOffset(heap, out), 1)[0] = value;
    return out;
  },
});
