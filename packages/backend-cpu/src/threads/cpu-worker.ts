/**
 * A cpu pool worker (bundled into a string by scripts/build-worker.mjs; Node runs it as
 * an `eval` worker, browsers as a `blob:` Web Worker): blocks in `Atomics.wait` on its
 * control slot; on a call, reads the job from its message area, runs the kernel on its
 * rows (views of the pool's memory), writes the outputs into the arena and says where.
 */
import { allocate, controlOf, readMessage, stateAt, writeMessage } from './pool-memory.js';
import { DONE, FAILED, type JobReply, POSTED, type RowJob, STOP } from './row-job.js';
import { runJob } from './row-kernels.js';

interface WorkerData {
  readonly memory: WebAssembly.Memory;
  readonly slot: number;
}

function answer(memory: WebAssembly.Memory, job: RowJob): JobReply {
  const outputs: Record<string, { at: number; length: number }> = {};
  for (const [name, array] of Object.entries(runJob(memory.buffer, job))) {
    const at = allocate(memory, array.byteLength);
    if (at < 0) return { error: `the pool memory (2 GiB) cannot hold output ${name}, ${array.byteLength} bytes` };
    new Float32Array(memory.buffer, at, array.length).set(array);
    outputs[name] = { at, length: array.length };
  }
  return { outputs };
}

function serve({ memory, slot }: WorkerData, ready: () => void): void {
  const control = controlOf(memory);
  const at = stateAt(slot);
  ready();
  for (;;) {
    let state = Atomics.load(control, at);
    while (state !== POSTED && state !== STOP) {
      Atomics.wait(control, at, state);
      state = Atomics.load(control, at);
    }
    if (state === STOP) return;
    let reply: JobReply;
    try {
      reply = answer(memory, readMessage(memory, slot) as RowJob);
    } catch (error) {
      // Cut to fit the message area, whatever the error says.
      reply = { error: String(error).slice(0, 2000) };
    }
    if (!writeMessage(memory, slot, reply)) reply = { error: 'the reply is longer than its message area' };
    if ('error' in reply) writeMessage(memory, slot, reply);
    Atomics.store(control, at, 'error' in reply ? FAILED : DONE);
    Atomics.notify(control, at);
  }
}

// Node: the data is `workerData`; a browser sends it as the first message. An `eval`
// worker has `require` on its global object; read there, the bundler leaves it alone
// (a bare `typeof require` becomes its own shim's, a function in browsers too).
const nodeRequire = (globalThis as { require?: (id: string) => unknown }).require;
if (nodeRequire !== undefined) {
  const threads = nodeRequire('node:worker_threads') as typeof import('node:worker_threads');
  serve(threads.workerData as WorkerData, () => threads.parentPort?.postMessage('ready'));
} else {
  const scope = globalThis as unknown as {
    onmessage: ((event: { data: WorkerData }) => void) | null;
    postMessage(message: unknown): void;
  };
  scope.onmessage = (event) => {
    scope.onmessage = null;
    serve(event.data, () => scope.postMessage('ready'));
  };
}
