/** A job for a cpu pool worker, and the control states its slot goes through. */

export const IDLE = 0;
export const POSTED = 1;
export const DONE = 2;
export const FAILED = 3;
export const STOP = 4;

/** A typed array's place in the job's shared buffer (float32 elements, or int32 with `int`), or a plain value. */
export type JobInput = { readonly at: number; readonly length: number; readonly int?: boolean } | number;

export interface RowJob {
  readonly name: keyof typeof import('./row-kernels.js').ROW_KERNELS;
  readonly buffer: SharedArrayBuffer;
  readonly inputs: Readonly<Record<string, JobInput>>;
  readonly dims: object;
  readonly attrs: object | boolean;
}

/** The job's inputs as views of its shared buffer (plain values as they are). */
export function viewsOf(job: RowJob): Record<string, Float32Array | Int32Array | number> {
  const views: Record<string, Float32Array | Int32Array | number> = {};
  for (const [name, input] of Object.entries(job.inputs)) {
    if (typeof input === 'number') views[name] = input;
    else if (input.int) views[name] = new Int32Array(job.buffer, input.at, input.length);
    else views[name] = new Float32Array(job.buffer, input.at, input.length);
  }
  return views;
}
