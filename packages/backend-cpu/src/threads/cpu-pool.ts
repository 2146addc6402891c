/**
 * The cpu backend's thread pool: `threads − 1` workers (Node `worker_threads`, or Web
 * Workers in a browser) over one shared memory (pool-memory.ts). A call writes each
 * worker's job into the memory, sets its slot to POSTED and notifies; the worker, blocked
 * in `Atomics.wait`, runs it and answers in the memory too. Everything is synchronous on
 * both sides, as tfjs' kernels must be, and no message is sent after a worker starts.
 */
import { RecurError } from '@recur/core';
import { type PoolWorker, startWorker } from '@recur/core/kernel-api';
import { CPU_WORKER_SOURCE } from '../generated/cpu-worker-source.js';
import { controlOf, MESSAGE_BYTES, poolMemory, readMessage, resetArena, stateAt, writeMessage } from './pool-memory.js';
import { DONE, FAILED, IDLE, type JobReply, POSTED, type RowJob, STOP } from './row-job.js';
import { runJob } from './row-kernels.js';

type Outputs = Record<string, Float32Array>;

export class CpuThreadPool {
  private workers: PoolWorker[] = [];

  private constructor(
    /** Where jobs, their arrays and the workers' outputs travel. */
    readonly memory: WebAssembly.Memory,
  ) {}

  /** A pool of `threads`: the calling thread and `threads − 1` workers (in Node, ones that do not keep it alive). */
  static async start(threads: number): Promise<CpuThreadPool> {
    const pool = new CpuThreadPool(poolMemory(threads));
    try {
      for (let slot = 1; slot < threads; slot++) {
        pool.workers.push(await startWorker(CPU_WORKER_SOURCE, { memory: pool.memory, slot }, 'cpu threads'));
      }
    } catch (cause) {
      await pool.dispose();
      throw new RecurError('BACKEND_UNAVAILABLE', `cpu threads: expected ${threads - 1} workers to start, one failed`, {
        cause,
      });
    }
    return pool;
  }

  /** The calling thread and its workers. */
  get threads(): number {
    return this.workers.length + 1;
  }

  /**
   * Empties the arena for a new call and allocates `bytes` for its inputs; returns their
   * offset in `memory`. What earlier calls returned is overwritten from here on.
   */
  inputs(bytes: number): number {
    const at = resetArena(this.memory, this.threads, bytes);
    if (at < 0)
      throw new RecurError('BAD_CONFIG', `cpu threads: a call needs ${bytes} bytes, more than the pool's 2 GiB`);
    return at;
  }

  /**
   * Runs `jobs[0]` here and `jobs[i]` on worker i, all at once; returns each job's
   * outputs. A worker's outputs are views of the pool's memory, valid until the next call.
   */
  run(jobs: readonly RowJob[]): Outputs[] {
    if (jobs.length > this.threads) {
      throw new RecurError('BAD_CONFIG', `cpu threads: expected at most ${this.threads} jobs, received ${jobs.length}`);
    }
    const control = controlOf(this.memory);
    // Every job written before any is posted: a refused one leaves no worker running.
    for (let slot = 1; slot < jobs.length; slot++) {
      if (!writeMessage(this.memory, slot, jobs[slot])) {
        throw new RecurError(
          'BAD_CONFIG',
          `cpu threads: expected a ${jobs[slot]?.name} job of at most ${MESSAGE_BYTES} bytes as JSON`,
        );
      }
    }
    for (let slot = 1; slot < jobs.length; slot++) {
      Atomics.store(control, stateAt(slot), POSTED);
      Atomics.notify(control, stateAt(slot));
    }
    let failure: unknown;
    const results: Outputs[] = [];
    try {
      results.push(runJob(this.memory.buffer, jobs[0] as RowJob));
    } catch (error) {
      failure = error;
    }
    for (let slot = 1; slot < jobs.length; slot++) {
      const at = stateAt(slot);
      while (Atomics.load(control, at) === POSTED) Atomics.wait(control, at, POSTED);
      const state = Atomics.exchange(control, at, IDLE);
      const reply = state === DONE || state === FAILED ? (readMessage(this.memory, slot) as JobReply) : undefined;
      if (reply !== undefined && 'outputs' in reply) {
        // The memory may have grown while the workers ran: views of its current buffer.
        const buffer = this.memory.buffer;
        const entries = Object.entries(reply.outputs).map(([name, o]) => [
          name,
          new Float32Array(buffer, o.at, o.length),
        ]);
        results.push(Object.fromEntries(entries));
      } else if (reply !== undefined) {
        failure ??= new RecurError(
          'BACKEND_UNAVAILABLE',
          `cpu threads: ${jobs[slot]?.name} failed in worker ${slot}: ${reply.error}`,
        );
      } else failure ??= new RecurError('BACKEND_UNAVAILABLE', `cpu threads: worker ${slot} stopped`);
    }
    if (failure !== undefined) throw failure;
    return results;
  }

  /** Stops and terminates the workers; resolves once they have exited. */
  dispose(): Promise<void> {
    const control = controlOf(this.memory);
    const exits = this.workers.map((worker, i) => {
      Atomics.store(control, stateAt(i + 1), STOP);
      Atomics.notify(control, stateAt(i + 1));
      return worker.terminate();
    });
    this.workers = [];
    return Promise.all(exits).then(() => undefined);
  }
}
