/**
 * A pool of workers running Recur's WebAssembly kernels over one shared memory that Recur
 * owns. Why not tfjs' heap: in Node tfjs runs its single-threaded build (its threaded
 * build fails with ERR_WORKER_PATH on its `blob:` worker), whose memory cannot be shared;
 * in browsers its threaded heap is shared, but only in isolated pages. One design for
 * both: inputs are copied from tfjs' heap into the shared memory, outputs copied back
 * (see split-call.ts for what that costs).
 */
import { RecurError } from '@recur/core';
import { type PoolWorker, startWorker } from '@recur/core/kernel-api';
import type { SequenceKernelExports } from '../kernels/module.js';
import { CONTROL_BYTES, DONE, FAILED, IDLE, MAX_ARGS, POSTED, SLOT_INTS, STOP, WORKER_SOURCE } from './control.js';

/** One kernel call: an export of the module and its arguments (pointers, sizes, flags). */
export interface KernelCall {
  readonly name: string;
  readonly args: readonly (number | boolean)[];
}

interface WorkerData {
  readonly module: WebAssembly.Module;
  readonly memory: WebAssembly.Memory;
  readonly names: readonly string[];
  readonly slot: number;
}

const PAGE = 65536;

export class ThreadPool {
  /** The module instantiated on the calling thread, over the shared memory. */
  readonly kernels: SequenceKernelExports;
  private readonly control: Int32Array;
  private readonly index: ReadonlyMap<string, number>;
  private workers: PoolWorker[] = [];

  private constructor(
    readonly memory: WebAssembly.Memory,
    /** The build its threads run (plain or relaxed SIMD, shared memory). */
    readonly module: WebAssembly.Module,
    names: readonly string[],
  ) {
    this.kernels = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as SequenceKernelExports;
    this.control = new Int32Array(memory.buffer, 0, CONTROL_BYTES / 4);
    this.index = new Map(names.map((name, i) => [name, i]));
  }

  /** A pool of `threads` (the calling thread and `threads − 1` workers) running `module`, the shared-memory build. */
  static async start(threads: number, module: WebAssembly.Module): Promise<ThreadPool> {
    const memory = new WebAssembly.Memory({ initial: 16, maximum: 65536, shared: true });
    const names = WebAssembly.Module.exports(module)
      .filter((e) => e.kind === 'function')
      .map((e) => e.name);
    const pool = new ThreadPool(memory, module, names);
    try {
      for (let slot = 1; slot < threads; slot++) {
        const data: WorkerData = { module, memory, names, slot };
        pool.workers.push(await startWorker(WORKER_SOURCE, data, 'wasm threads'));
      }
    } catch (cause) {
      await pool.dispose();
      throw new RecurError(
        'BACKEND_UNAVAILABLE',
        `wasm threads: expected ${threads - 1} workers to start, one failed`,
        {
          cause,
        },
      );
    }
    return pool;
  }

  /** The calling thread and its workers. */
  get threads(): number {
    return this.workers.length + 1;
  }

  /** Grows the shared memory to at least `bytes`. */
  reserve(bytes: number): void {
    const missing = Math.ceil((bytes - this.memory.buffer.byteLength) / PAGE);
    if (missing > 0) this.memory.grow(missing);
  }

  /**
   * Runs `calls[0]` on the calling thread and `calls[i]` on worker i, all at once, and
   * returns when every one has finished. The calling thread blocks in `Atomics.wait`
   * (allowed in Node's main thread and in workers, see planThreads in @recur/core).
   */
  run(calls: readonly KernelCall[]): void {
    if (calls.length > this.threads) {
      throw new RecurError(
        'BAD_CONFIG',
        `wasm threads: expected at most ${this.threads} calls, received ${calls.length}`,
      );
    }
    for (let slot = 1; slot < calls.length; slot++) this.post(slot, calls[slot] as KernelCall);
    let failure: unknown;
    try {
      const first = calls[0] as KernelCall;
      (this.kernels as unknown as Record<string, (...args: unknown[]) => void>)[first.name]?.(...first.args);
    } catch (error) {
      failure = error;
    }
    for (let slot = 1; slot < calls.length; slot++) {
      const at = slot * SLOT_INTS;
      while (Atomics.load(this.control, at) === POSTED) Atomics.wait(this.control, at, POSTED);
      const state = Atomics.exchange(this.control, at, IDLE);
      if (state === FAILED)
        failure ??= new RecurError(
          'BACKEND_UNAVAILABLE',
          `wasm threads: ${calls[slot]?.name} trapped in worker ${slot}`,
        );
      else if (state !== DONE)
        failure ??= new RecurError('BACKEND_UNAVAILABLE', `wasm threads: worker ${slot} stopped`);
    }
    if (failure !== undefined) throw failure;
  }

  private post(slot: number, call: KernelCall): void {
    const export_ = this.index.get(call.name);
    if (export_ === undefined || call.args.length > MAX_ARGS) {
      throw new RecurError(
        'BAD_CONFIG',
        `wasm threads: expected a kernel export with at most ${MAX_ARGS} arguments, received ${call.name}`,
      );
    }
    const at = slot * SLOT_INTS;
    this.control[at + 1] = export_;
    this.control[at + 2] = call.args.length;
    for (const [i, arg] of call.args.entries()) this.control[at + 3 + i] = Number(arg);
    Atomics.store(this.control, at, POSTED);
    Atomics.notify(this.control, at);
  }

  /** Stops and terminates the workers; the pool runs nothing afterwards. Resolves once they have exited. */
  dispose(): Promise<void> {
    const exits = this.workers.map((worker, i) => {
      const at = (i + 1) * SLOT_INTS;
      Atomics.store(this.control, at, STOP);
      Atomics.notify(this.control, at);
      return worker.terminate();
    });
    this.workers = [];
    return Promise.all(exits).then(() => undefined);
  }
}
