/**
 * The cpu backend's thread pool (Node only): `threads − 1` workers, each with a control
 * slot in a small shared Int32Array and a MessagePort. A call posts its job on the port
 * (the inputs live in a SharedArrayBuffer, so only their offsets travel), sets the slot
 * to POSTED and notifies; the worker, blocked in `Atomics.wait`, takes the job with
 * `receiveMessageOnPort`, runs it and posts the outputs back (transferred, not copied).
 * Everything is synchronous on both sides, as tfjs' kernels must be.
 */
import { RecurError } from '@recur/core';
import { CPU_WORKER_SOURCE } from '../generated/cpu-worker-source.js';
import { DONE, FAILED, IDLE, POSTED, type RowJob, STOP, viewsOf } from './row-job.js';
import { ROW_KERNELS } from './row-kernels.js';

type Outputs = Record<string, Float32Array>;

interface Port {
  postMessage(value: unknown): void;
  close(): void;
}

interface WorkerThreads {
  Worker: new (
    source: string,
    options: { eval: true; workerData: unknown; transferList: unknown[] },
  ) => {
    once(event: string, listener: (value: unknown) => void): void;
    unref(): void;
    terminate(): Promise<number>;
  };
  MessageChannel: new () => { port1: Port; port2: Port };
  receiveMessageOnPort(port: Port): { message: unknown } | undefined;
}

/** Runs a job on the calling thread, as a worker would. */
export function runJob(job: RowJob): Outputs {
  const kernel = ROW_KERNELS[job.name] as (v: unknown, d: unknown, a: unknown) => Outputs;
  return kernel(viewsOf(job), job.dims, job.attrs);
}

export class CpuThreadPool {
  private readonly control = new Int32Array(new SharedArrayBuffer(4 * 64));
  private workers: { terminate(): Promise<number> }[] = [];
  private ports: Port[] = [];

  private constructor(private readonly threadsModule: WorkerThreads) {}

  /** A pool of `threads`: the calling thread and `threads − 1` workers that do not keep Node alive. */
  static async start(threads: number): Promise<CpuThreadPool> {
    const specifier = 'node:worker_threads';
    const module = (await import(/* @vite-ignore */ specifier)) as WorkerThreads;
    const pool = new CpuThreadPool(module);
    try {
      for (let slot = 1; slot < threads; slot++) {
        const { port1, port2 } = new module.MessageChannel();
        const worker = new module.Worker(CPU_WORKER_SOURCE, {
          eval: true,
          workerData: { control: pool.control, slot, port: port2 },
          transferList: [port2],
        });
        worker.unref();
        pool.workers.push(worker);
        pool.ports.push(port1);
        await new Promise<void>((resolve, reject) => {
          worker.once('message', () => resolve());
          worker.once('error', reject);
        });
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

  /** Runs `jobs[0]` here and `jobs[i]` on worker i, all at once; returns each job's outputs. */
  run(jobs: readonly RowJob[]): Outputs[] {
    if (jobs.length > this.threads) {
      throw new RecurError('BAD_CONFIG', `cpu threads: expected at most ${this.threads} jobs, received ${jobs.length}`);
    }
    for (let slot = 1; slot < jobs.length; slot++) {
      this.ports[slot - 1]?.postMessage(jobs[slot]);
      Atomics.store(this.control, slot, POSTED);
      Atomics.notify(this.control, slot);
    }
    let failure: unknown;
    const results: Outputs[] = [];
    try {
      results.push(runJob(jobs[0] as RowJob));
    } catch (error) {
      failure = error;
    }
    for (let slot = 1; slot < jobs.length; slot++) {
      while (Atomics.load(this.control, slot) === POSTED) Atomics.wait(this.control, slot, POSTED);
      const state = Atomics.exchange(this.control, slot, IDLE);
      const message = this.threadsModule.receiveMessageOnPort(this.ports[slot - 1] as Port)?.message;
      if (state === DONE) results.push(message as Outputs);
      else if (state === FAILED) {
        const why = (message as { error?: string } | undefined)?.error;
        failure ??= new RecurError(
          'BACKEND_UNAVAILABLE',
          `cpu threads: ${jobs[slot]?.name} failed in worker ${slot}: ${why}`,
        );
      } else failure ??= new RecurError('BACKEND_UNAVAILABLE', `cpu threads: worker ${slot} stopped`);
    }
    if (failure !== undefined) throw failure;
    return results;
  }

  /** Stops and terminates the workers; resolves once they have exited. */
  dispose(): Promise<void> {
    const exits = this.workers.map((worker, i) => {
      Atomics.store(this.control, i + 1, STOP);
      Atomics.notify(this.control, i + 1);
      return worker.terminate();
    });
    for (const port of this.ports) port.close();
    this.workers = [];
    this.ports = [];
    return Promise.all(exits).then(() => undefined);
  }
}
