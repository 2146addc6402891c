/**
 * A cpu kernel call split by batch rows over the pool. Each thread runs the whole
 * sequence on its own rows (no barrier per step); weight gradients come back as one
 * partial sum per thread, added in thread order (deterministic for a fixed thread count).
 * Inputs are copied into the pool's shared memory, each share contiguous (`[rows, …]` or
 * `[T, rows, …]`) so the kernel runs on it unchanged; outputs are copied back into whole
 * arrays. With one thread, or one row, the kernel runs as it always has.
 *
 * Measured on W1 (LSTM, batch 32, T 64, input 64, hidden 256; shared 2-core machine,
 * load average 13–17): the forward pass takes 551–566 ms of CPU time on 2 threads
 * against 404–431 ms on one, forward and backward 1528–1604 against 1312–1327 ms. Each
 * thread packs the weights' panels for its own products at every step and warms up
 * its own JIT, which the copies (a few MB) do not explain; the split pays where a core
 * would otherwise idle.
 */
import { BackendPools, copyRows, type RowSlice, rowShares, sumInOrder } from '@recur/core/kernel-api';
import type { CpuThreadPool } from './cpu-pool.js';
import { arrayType, type JobInput, type RowArray, type RowJob } from './row-job.js';
import { ROW_KERNELS, type RowKernelName, type RowLayout, rowLayout } from './row-kernels.js';

/** The cpu backends' pools, by backend object. */
export const cpuPools = new BackendPools<CpuThreadPool>();

type Kernels = typeof ROW_KERNELS;

const bytesOf = (a: RowArray): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** Where an array called `name`, of `length` floats, keeps rows `rows` of a batch of `dims.batch`. */
function slice(
  layout: RowLayout,
  name: string,
  array: { readonly length: number; readonly BYTES_PER_ELEMENT: number },
  dims: RowDims,
  rows: [number, number],
): RowSlice {
  const { batch, time } = dims;
  const { length } = array;
  const timeMajor = layout.timeMajor.has(name);
  const shape = timeMajor ? [time, batch, length / (time * batch)] : [batch, length / batch];
  return { shape, axis: timeMajor ? 1 : 0, rows, bytes: array.BYTES_PER_ELEMENT };
}

/** Bytes rounded up to 8, so every view in the shared buffer starts aligned. */
const aligned = (bytes: number): number => Math.ceil(bytes / 8) * 8;

/** What every split kernel's dims have. */
interface RowDims {
  readonly batch: number;
  readonly time: number;
}

/** `ROW_KERNELS[name](arrays, dims, attrs)`, split by rows over `backend`'s pool where it has one. */
export function runRows<N extends RowKernelName>(
  backend: object,
  name: N,
  arrays: Parameters<Kernels[N]>[0],
  dims: Parameters<Kernels[N]>[1],
  attrs: Parameters<Kernels[N]>[2],
): ReturnType<Kernels[N]> {
  const pool = cpuPools.get(backend);
  const kernel = ROW_KERNELS[name] as (v: unknown, d: unknown, a: unknown) => ReturnType<Kernels[N]>;
  if (pool === undefined || dims.batch < 2) return kernel(arrays, dims, attrs);
  const layout = rowLayout(name);
  const shares = rowShares(dims.batch, pool.threads);
  const entries = Object.entries(arrays as unknown as Record<string, RowArray | number>);
  // Each array once in all (whole, or its shares), each share aligned: at most 8 bytes more per share.
  const bytes = entries.reduce((n, [, a]) => n + (typeof a === 'number' ? 0 : a.byteLength + 8 * shares.length), 0);
  let end = pool.inputs(bytes);
  const target = new Uint8Array(pool.memory.buffer);
  const wholeAt = new Map<string, JobInput>();
  const jobs: RowJob[] = shares.map((rows) => {
    const inputs: Record<string, JobInput> = {};
    for (const [input, a] of entries) {
      if (typeof a === 'number') {
        inputs[input] = a;
      } else if (layout.whole.has(input)) {
        if (!wholeAt.has(input)) {
          target.set(bytesOf(a), end);
          wholeAt.set(input, { at: end, length: a.length, type: arrayType(a) });
          end += aligned(a.byteLength);
        }
        inputs[input] = wholeAt.get(input) as JobInput;
      } else {
        const length = (a.length / dims.batch) * rows[1];
        copyRows('gather', bytesOf(a), 0, target, end, slice(layout, input, a, dims, rows));
        inputs[input] = { at: end, length, type: arrayType(a) };
        end += aligned(length * a.BYTES_PER_ELEMENT);
      }
    }
    return { name, inputs, dims: { ...dims, batch: rows[1] }, attrs };
  });
  const parts = pool.run(jobs);
  const merged: Record<string, Float32Array> = {};
  for (const output of Object.keys(parts[0] as object)) {
    const pieces = parts.map((p) => p[output] as Float32Array);
    if (layout.whole.has(output)) {
      merged[output] = new Float32Array((pieces[0] as Float32Array).length);
      sumInOrder(merged[output], pieces);
      continue;
    }
    const length = pieces.reduce((n, p) => n + p.length, 0);
    const whole = new Float32Array(length);
    for (const [s, rows] of shares.entries()) {
      copyRows(
        'scatter',
        bytesOf(whole),
        0,
        bytesOf(pieces[s] as Float32Array),
        0,
        slice(layout, output, whole, dims, rows),
      );
    }
    merged[output] = whole;
  }
  return merged as ReturnType<Kernels[N]>;
}
