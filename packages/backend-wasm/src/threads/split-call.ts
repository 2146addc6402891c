/**
 * One kernel call split over the pool by batch rows. A recurrence's rows are independent,
 * so each thread runs the whole sequence on its own rows, with no barrier per step; weight
 * gradients come back as one partial sum per thread, added in thread order (so the result
 * is deterministic for a fixed thread count, and within rounding of one thread's).
 *
 * Each thread's rows are copied from tfjs' heap into the pool's shared memory as a
 * contiguous tensor of their own, `[rows, …]` or `[T, rows, …]`, so the kernel runs
 * unchanged on a smaller batch; outputs are copied back into tfjs' tensors.
 *
 * What the copies cost, measured on W1 (LSTM, batch 32, T 64, input 64, hidden 256) on 2
 * threads, on the shared 2-core machine (load average 4–7 from other sessions, so the
 * kernel times are inflated; the copies, memory-bound, much less): forward, copy in
 * 0.4 ms (x and the weights, 1.8 MB) and copy out 3–9 ms (outputs and the workspaces
 * for the backward pass, 16 MB) against 85–180 ms in the kernel; backward, copy in
 * 5–16 ms (17 MB) and copy out 1.2 ms against 190–320 ms. In CPU time (all threads),
 * the W1 forward pass costs 46–48 ms on 2 threads against 43–45 ms on one, forward and
 * backward 376–400 against 356–381 ms: 5–7 % more work, for up to twice the cores. So
 * Recur copies rather than asks tfjs for a shared heap it cannot have in Node.
 */
import { RecurError } from '@recur/core';
import { copyRows, rowShares, sumInOrder } from '@recur/core/kernel-api';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { SequenceKernelExports, WasmBackendLike } from '../kernels/module.js';
import { CONTROL_BYTES } from './control.js';
import type { KernelCall, ThreadPool } from './thread-pool.js';

/** Where each tensor of a kernel call keeps its batch. */
export interface BatchLayout {
  readonly batch: number;
  /** The kernel's inputs by name, so a pointer request finds its layout. */
  readonly inputs: Readonly<Record<string, TensorInfo>>;
  /** Inputs and outputs `[T, B, …]`; every other tensor with a batch is `[B, …]`. */
  readonly timeMajor?: readonly string[];
  /** Inputs every row reads whole (weights) and outputs summed over rows (their gradients). */
  readonly whole?: readonly string[];
  /** `false`: run on the calling thread, for kernels whose copies cost more than a second thread saves. */
  readonly threads?: boolean;
}

/** What a kernel body receives on a thread's share: the module, pointers and its row count. */
export type SplitBody<K extends string> = (call: {
  readonly kernels: SequenceKernelExports;
  readonly at: (info: TensorInfo) => number;
  readonly outputs: { readonly [N in K]: number };
  readonly scratch: number;
  readonly batch: number;
}) => void;

const bytesPer = (dtype: string): number => (dtype === 'bool' ? 1 : 4);
const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** A recorder standing in for the module: the body's one export call becomes a `KernelCall`. */
function recorder(calls: KernelCall[]): SequenceKernelExports {
  return new Proxy({} as SequenceKernelExports, {
    get:
      (_, name) =>
      (...args: (number | boolean)[]) =>
        calls.push({ name: String(name), args }),
  });
}

/**
 * Runs `body` once per thread on its rows (`layout`), in the pool's memory, and returns
 * outputs of `shapes` made in tfjs' heap (owned by the caller). If anything throws, the
 * outputs are disposed.
 */
export function runSplit<K extends string>(
  heap: WasmBackendLike,
  tfjsMemory: WebAssembly.Memory,
  pool: ThreadPool,
  shapes: { readonly [N in K]: number[] },
  scratchBytes: (kernels: SequenceKernelExports, batch: number) => number,
  body: SplitBody<K>,
  layout: BatchLayout,
): { [N in K]: TensorInfo } {
  const names = Object.keys(shapes) as K[];
  const made = names.map((name) => heap.makeOutput(shapes[name], 'float32'));
  try {
    const whole = new Set(layout.whole ?? []);
    const axisOf = (name: string): number | undefined =>
      whole.has(name) ? undefined : layout.timeMajor?.includes(name) ? 1 : 0;
    const nameOf = new Map(Object.entries(layout.inputs).map(([name, info]) => [info, name]));
    const ranges = rowShares(layout.batch, pool.threads);
    let end = CONTROL_BYTES;
    const alloc = (bytes: number): number => {
      const at = end;
      end += Math.ceil(bytes / 16) * 16;
      pool.reserve(end);
      return at;
    };
    const tfjsAt = (info: TensorInfo): number => {
      const data = heap.dataIdMap.get(info.dataId);
      if (data === undefined)
        throw new RecurError('BAD_DATA', 'wasm sequence kernel input: expected a tensor on the wasm backend');
      return data.memoryOffset;
    };
    const copies = new Map<TensorInfo, number>();
    const calls: KernelCall[] = [];
    const partOffsets: Record<string, number>[] = [];
    for (const range of ranges) {
      const at = (info: TensorInfo): number => {
        const name = nameOf.get(info);
        if (name === undefined) throw new RecurError('BAD_DATA', 'wasm threads: expected an input named in the layout');
        const axis = axisOf(name);
        // A tensor split by rows must have the batch on its row axis: one that does not (a
        // weight or bias left out of `layout.whole`) would be sliced into garbage.
        if (axis !== undefined && info.shape[axis] !== layout.batch) {
          throw new RecurError(
            'SHAPE_MISMATCH',
            `wasm threads: input '${name}' [${info.shape.join(', ')}] has no batch of ${layout.batch} on axis ${axis}; list it in the layout's whole inputs`,
          );
        }
        const bytes = size(info.shape) * bytesPer(info.dtype);
        if (axis === undefined && copies.has(info)) return copies.get(info) as number;
        const part = alloc(axis === undefined ? bytes : (bytes / layout.batch) * range[1]);
        const source = new Uint8Array(tfjsMemory.buffer);
        const target = new Uint8Array(pool.memory.buffer);
        if (axis === undefined) {
          target.set(source.subarray(tfjsAt(info), tfjsAt(info) + bytes), part);
          copies.set(info, part);
        } else {
          copyRows('gather', source, tfjsAt(info), target, part, {
            shape: info.shape,
            axis,
            rows: range,
            bytes: bytesPer(info.dtype),
          });
        }
        return part;
      };
      const outputs: Record<string, number> = {};
      for (const name of names) {
        const axis = axisOf(name);
        const floats = size(shapes[name]);
        outputs[name] = alloc(4 * (axis === undefined ? floats : (floats / layout.batch) * range[1]));
      }
      partOffsets.push(outputs);
      const scratch = alloc(scratchBytes(pool.kernels, range[1]));
      body({ kernels: recorder(calls), at, outputs: outputs as { [N in K]: number }, scratch, batch: range[1] });
    }
    pool.run(calls);
    const source = new Uint8Array(pool.memory.buffer);
    const target = new Uint8Array(tfjsMemory.buffer);
    for (const [i, name] of names.entries()) {
      const info = made[i] as TensorInfo;
      const axis = axisOf(name);
      if (axis === undefined) {
        const floats = size(shapes[name]);
        const parts = partOffsets.map((o) => new Float32Array(pool.memory.buffer, o[name] as number, floats));
        sumInOrder(new Float32Array(tfjsMemory.buffer, tfjsAt(info), floats), parts);
      } else {
        for (const [s, range] of ranges.entries()) {
          copyRows('scatter', target, tfjsAt(info), source, partOffsets[s]?.[name] as number, {
            shape: shapes[name],
            axis,
            rows: range,
            bytes: 4,
          });
        }
      }
    }
  } catch (error) {
    for (const info of made) heap.disposeData(info.dataId, true);
    throw error;
  }
  return Object.fromEntries(names.map((name, i) => [name, made[i]])) as { [N in K]: TensorInfo };
}
