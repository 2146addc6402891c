/** A job for a cpu pool worker, and the control states its slot goes through. */

export const IDLE = 0;
export const POSTED = 1;
export const DONE = 2;
export const FAILED = 3;
export const STOP = 4;

/** A typed array's place in the job's shared buffer (float32 elements), or a plain value. */
export type JobInput = { readonly at: number; readonly length: number } | number;

export interface RowJob {
  readonly name: keyof typeof import('./row-kernels.js').ROW_KERNELS;
  readonly buffer: SharedArrayBuffer;
  readonly inputs: Readonly<Record<string, JobInput>>;
  readonly dims: object;
  readonly attrs: object | boolean;
}

/** The job's inputs as Float32Array views of its shared buffer (plain values as they are). */
export function viewsOf(job: RowJob): Record<string, Float32Array | number> {
  const views: Record<string, Float32Array | number> = {};
  for (const [name, input] of Object.entries(job.inputs)) {
    views[name] = typeof input === 'number' ? input : new Float32Array(job.buffer, input.at, input.length);
  }
  return views;
}
