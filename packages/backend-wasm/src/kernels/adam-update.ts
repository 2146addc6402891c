/**
 * `adamUpdate` (core's `RecurAdamUpdate`, one Adam / AdamW step of one variable) on the
 * wasm backend: asm/adam.ts on the tensors in tfjs' heap, one call instead of about 17
 * tfjs ops. Never split over the thread pool: a pass over one variable is a few
 * microseconds, less than handing it to a worker.
 */
import { adamUpdate, RecurAdamUpdate } from '@recur/core';
import { adamConstants, fusedKernel } from '@recur/core/kernel-api';
import { expectShape, heapOffset } from './heap.js';
import { kernelsFor, type WasmBackendLike } from './module.js';

export const adamUpdateWasm = fusedKernel(adamUpdate, 'wasm', {
  forward(t, attrs, backend: object) {
    const shape = [...t.value.shape];
    for (const name of ['gradient', 'm', 'v'] as const) expectShape(RecurAdamUpdate, name, t[name], shape);
    for (const name of ['beta1Power', 'beta2Power'] as const) expectShape(RecurAdamUpdate, name, t[name], []);
    const heap = backend as WasmBackendLike;
    const at = (info: Parameters<typeof heapOffset>[1]) => heapOffset(heap, info);
    const c = adamConstants(attrs);
    const out = {
      newValue: heap.makeOutput(shape, 'float32'),
      newM: heap.makeOutput(shape, 'float32'),
      newV: heap.makeOutput(shape, 'float32'),
    };
    kernelsFor(backend).adamUpdate(
      shape.reduce((a, b) => a * b, 1),
      at(t.value),
      at(t.gradient),
      at(t.m),
      at(t.v),
      at(t.beta1Power),
      at(t.beta2Power),
      c.keep,
      c.beta1,
      c.oneMinusBeta1,
      c.beta2,
      c.oneMinusBeta2,
      c.epsilon,
      c.negLearningRate,
      at(out.newValue),
      at(out.newM),
      at(out.newV),
    );
    return out;
  },
});
