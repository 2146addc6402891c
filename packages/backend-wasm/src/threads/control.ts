/**
 * The control block at the start of Recur's shared memory: one slot of `SLOT_INTS` int32
 * per thread, `[state, export index, argument count, arguments…]`. The calling thread
 * writes a call and sets `POSTED`; the worker runs it and sets `DONE` (or `FAILED`),
 * each change announced with `Atomics.notify`.
 */
import { MAX_THREADS } from '@recur/core/kernel-api';

export const SLOT_INTS = 64;
/** Arguments one call may take (slstmBackward, the longest, takes 37). */
export const MAX_ARGS = SLOT_INTS - 3;
export const CONTROL_BYTES = MAX_THREADS * SLOT_INTS * 4;

export const IDLE = 0;
export const POSTED = 1;
export const DONE = 2;
export const FAILED = 3;
export const STOP = 4;

/**
 * What each worker runs (Node: an `eval` worker; browsers: a Blob worker): instantiate the
 * kernels' shared-memory build over the pool's memory, say ready, then serve its slot,
 * blocking in `Atomics.wait` between calls. Plain JavaScript in a string, so it needs no
 * file beside the bundle and no bundler setting, like the kernels' module itself.
 */
export const WORKER_SOURCE = `
'use strict';
function serve(data, ready) {
  const exports = new WebAssembly.Instance(data.module, { env: { memory: data.memory } }).exports;
  const calls = data.names.map((name) => exports[name]);
  const control = new Int32Array(data.memory.buffer, 0, ${CONTROL_BYTES / 4});
  const at = data.slot * ${SLOT_INTS};
  ready();
  for (;;) {
    let state = Atomics.load(control, at);
    while (state !== ${POSTED} && state !== ${STOP}) {
      Atomics.wait(control, at, state);
      state = Atomics.load(control, at);
    }
    if (state === ${STOP}) return;
    const args = Array.from(control.subarray(at + 3, at + 3 + control[at + 2]));
    try {
      calls[control[at + 1]](...args);
      Atomics.store(control, at, ${DONE});
    } catch {
      Atomics.store(control, at, ${FAILED});
    }
    Atomics.notify(control, at);
  }
}
if (typeof require === 'function') {
  const { parentPort, workerData } = require('node:worker_threads');
  serve(workerData, () => parentPort.postMessage('ready'));
} else {
  self.onmessage = (event) => serve(event.data, () => self.postMessage('ready'));
}
`;
