/**
 * A cpu pool worker (bundled into a string by scripts/build-worker.mjs, run as an `eval`
 * worker): blocks in `Atomics.wait` on its control slot; on a call, takes the job from its
 * port synchronously, runs the kernel on its rows (views of the shared input buffer), and
 * hands the outputs back, transferred rather than copied.
 */
import { type MessagePort, parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { DONE, FAILED, POSTED, type RowJob, STOP, viewsOf } from './row-job.js';
import { ROW_KERNELS } from './row-kernels.js';

const { control, slot, port } = workerData as { control: Int32Array; slot: number; port: MessagePort };

function serve(): void {
  for (;;) {
    let state = Atomics.load(control, slot);
    while (state !== POSTED && state !== STOP) {
      Atomics.wait(control, slot, state);
      state = Atomics.load(control, slot);
    }
    if (state === STOP) return;
    const job = receiveMessageOnPort(port)?.message as RowJob;
    try {
      const kernel = ROW_KERNELS[job.name] as (v: unknown, d: unknown, a: unknown) => Record<string, Float32Array>;
      const out = kernel(viewsOf(job), job.dims, job.attrs);
      port.postMessage(
        out,
        Object.values(out).map((a) => a.buffer as ArrayBuffer),
      );
      Atomics.store(control, slot, DONE);
    } catch (error) {
      port.postMessage({ error: String(error) });
      Atomics.store(control, slot, FAILED);
    }
    Atomics.notify(control, slot);
  }
}

parentPort?.postMessage('ready');
serve();
