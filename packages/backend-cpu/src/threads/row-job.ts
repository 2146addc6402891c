/** A job for a cpu pool worker, and the control states its slot goes through. */

export const IDLE = 0;
export const POSTED = 1;
export const DONE = 2;
export const FAILED = 3;
export const STOP = 4;

/** The typed arrays a kernel reads: float32 values, int32 labels and lengths, bool masks (one byte each). */
export type RowArray = Float32Array | Int32Array | Uint8Array;

type ArrayType = 'Float32Array' | 'Int32Array' | 'Uint8Array';

/** A typed array's place in the pool's shared memory, and its type; or a plain value. */
export type JobInput = { readonly at: number; readonly length: number; readonly type: ArrayType } | number;

/** The type name a job carries for `array`. */
export function arrayType(array: RowArray): ArrayType {
  if (array instanceof Int32Array) return 'Int32Array';
  return array instanceof Uint8Array ? 'Uint8Array' : 'Float32Array';
}

/** A row kernel's call on some rows: plain data, which travels as JSON (pool-memory.ts). */
export interface RowJob {
  readonly name: keyof typeof import('./row-kernels.js').JOB_KERNELS;
  readonly inputs: Readonly<Record<string, JobInput>>;
  readonly dims: object;
  readonly attrs: object | boolean;
}

/** What a worker answers: where its outputs are in the pool's memory, or why it failed. */
export type JobReply =
  | { readonly outputs: Readonly<Record<string, { readonly at: number; readonly length: number }>> }
  | { readonly error: string };

/** The job's inputs as views of `buffer`, the pool's memory (plain values as they are). */
export function viewsOf(buffer: ArrayBufferLike, job: RowJob): Record<string, RowArray | number> {
  const views: Record<string, RowArray | number> = {};
  for (const [name, input] of Object.entries(job.inputs)) {
    if (typeof input === 'number') views[name] = input;
    else if (input.type === 'Int32Array') views[name] = new Int32Array(buffer, input.at, input.length);
    else if (input.type === 'Uint8Array') views[name] = new Uint8Array(buffer, input.at, input.length);
    else views[name] = new Float32Array(buffer, input.at, input.length);
  }
  return views;
}
