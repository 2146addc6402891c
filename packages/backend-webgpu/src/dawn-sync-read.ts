import { RecurError } from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Synchronous reads (`dataSync`, `arraySync`) on WebGPU in Node.
 *
 * tfjs' webgpu backend reads synchronously by copying the buffer into two WebGPU canvases
 * and reading them back through a 2D `OffscreenCanvas`, which browsers have and Node does
 * not. Dawn's Node binding (npm `webgpu`) settles `mapAsync` only when it processes its
 * events, which it does from a callback it schedules with the global `setImmediate`; a
 * synchronous caller never yields to it. Calling that callback ourselves processes the
 * events on the spot: the staging buffer maps while we wait, and the read completes
 * without yielding, as `getBufferData` would after its `await`.
 */

interface MappableBuffer {
  readonly size: number;
  readonly mapState: string;
  mapAsync(mode: number): Promise<void>;
  getMappedRange(): ArrayBuffer;
  unmap(): void;
  destroy(): void;
}

export interface TensorData {
  values?: tf.backend_util.BackendValues;
  dtype: tf.DataType;
  resource?: unknown;
  complexTensorInfos?: { real: tf.TensorInfo; imag: tf.TensorInfo };
}

/** The private members of tfjs' `WebGPUBackend` that a read goes through (tfjs 4.22). */
export interface WebGpuBackendInternals {
  device: { createBuffer(descriptor: { size: number; usage: number }): MappableBuffer };
  tensorMap: { get(dataId: object): TensorData | undefined };
  bufferManager: {
    acquireBuffer(size: number, usage: number): MappableBuffer;
    releaseBuffer(buffer: MappableBuffer): void;
  };
  commandEncoder: { copyBufferToBuffer(a: unknown, ao: number, b: unknown, bo: number, size: number): void };
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
  submitQueue(): void;
  convertAndCacheOnCPU(dataId: object, values: tf.backend_util.BackendValues): tf.backend_util.BackendValues;
  readSync(dataId: object): tf.backend_util.BackendValues;
}

interface WebGpuConstants {
  GPUBufferUsage: { MAP_READ: number; COPY_DST: number };
  GPUMapMode: { READ: number };
}

type Tick = () => void;
type SetImmediate = (callback: () => void, ...args: unknown[]) => unknown;

const MAP_TIMEOUT_MS = 60_000;

let sleeper: Int32Array | undefined;
/** Blocks the thread (Node allows `Atomics.wait` on its main thread). */
function sleep(ms: number): void {
  sleeper ??= new Int32Array(new SharedArrayBuffer(4));
  Atomics.wait(sleeper, 0, 0, ms);
}

/** Dawn's event-processing callback, caught while it is handed to `setImmediate`. */
async function catchDawnTick(backend: WebGpuBackendInternals, constants: WebGpuConstants): Promise<Tick | undefined> {
  const host = globalThis as unknown as { setImmediate?: SetImmediate };
  const original = host.setImmediate;
  if (original === undefined) return undefined;
  // Dawn queues a callback only when none is pending; yielding first lets a pending one run.
  for (let attempt = 0; attempt < 8; attempt++) {
    await new Promise<void>((resolve) => original(resolve));
    const probe = backend.device.createBuffer({
      size: 4,
      usage: constants.GPUBufferUsage.MAP_READ | constants.GPUBufferUsage.COPY_DST,
    });
    let tick: Tick | undefined;
    host.setImmediate = (callback: () => void, ...args: unknown[]) => {
      tick ??= callback;
      return original(callback, ...args);
    };
    let mapped: Promise<void>;
    try {
      mapped = probe.mapAsync(constants.GPUMapMode.READ);
    } finally {
      host.setImmediate = original;
    }
    await mapped;
    probe.unmap();
    probe.destroy();
    if (tick !== undefined) return tick;
  }
  return undefined;
}

/**
 * Replaces `backend.readSync` with a read that works in Node through Dawn. Returns false
 * (and changes nothing) when Dawn's event callback could not be caught.
 */
export async function enableDawnSyncReads(backend: tf.KernelBackend): Promise<boolean> {
  const internals = backend as unknown as WebGpuBackendInternals;
  const constants = globalThis as unknown as WebGpuConstants;
  if (typeof internals.bufferManager?.acquireBuffer !== 'function' || constants.GPUMapMode === undefined) return false;
  const tick = await catchDawnTick(internals, constants);
  if (tick === undefined) return false;

  const readBuffer = (buffer: MappableBuffer): ArrayBuffer => {
    const usage = constants.GPUBufferUsage.COPY_DST | constants.GPUBufferUsage.MAP_READ;
    const staging = internals.bufferManager.acquireBuffer(buffer.size, usage);
    internals.ensureCommandEncoderReady();
    internals.endComputePassEncoder();
    internals.commandEncoder.copyBufferToBuffer(buffer, 0, staging, 0, buffer.size);
    internals.submitQueue();
    let failure: unknown;
    staging.mapAsync(constants.GPUMapMode.READ).catch((cause: unknown) => {
      failure = cause;
    });
    const start = performance.now();
    // Each tick queues another callback (Dawn re-arms itself), so sleep between ticks,
    // from 20 µs up to 1 ms, rather than spin: a long GPU job must not queue millions.
    let pause = 0.02;
    while (staging.mapState === 'pending' && performance.now() - start < MAP_TIMEOUT_MS) {
      tick();
      if (staging.mapState !== 'pending') break;
      sleep(pause);
      pause = Math.min(pause * 2, 1);
    }
    if (staging.mapState !== 'mapped') {
      throw new RecurError(
        'BACKEND_UNAVAILABLE',
        `webgpu: a synchronous read could not map its staging buffer (state '${staging.mapState}'${
          failure instanceof Error ? `: ${failure.message}` : ''
        }); read with await tensor.data() instead`,
      );
    }
    const values = staging.getMappedRange().slice(0);
    staging.unmap();
    internals.bufferManager.releaseBuffer(staging);
    return values;
  };

  const original = internals.readSync.bind(internals);
  const readSync = (dataId: object): tf.backend_util.BackendValues => {
    const data = internals.tensorMap.get(dataId);
    if (data === undefined) {
      throw new RecurError('BAD_DATA', 'webgpu read: expected a live tensor, received one that was disposed');
    }
    if (data.values != null || data.dtype === 'string') return data.values as tf.backend_util.BackendValues;
    let values: tf.backend_util.BackendValues;
    if (data.dtype === 'complex64' && data.complexTensorInfos !== undefined) {
      const real = readSync(data.complexTensorInfos.real.dataId) as Float32Array;
      const imag = readSync(data.complexTensorInfos.imag.dataId) as Float32Array;
      values = tf.backend_util.mergeRealAndImagArrays(real, imag);
    } else {
      const buffer = data.resource as MappableBuffer | undefined;
      // A tensor made from a texture has no buffer to copy; tfjs' own path handles it.
      if (typeof buffer?.size !== 'number' || typeof buffer.mapAsync !== 'function') return original(dataId);
      values = tf.util.convertBackendValuesAndArrayBuffer(readBuffer(buffer), data.dtype);
    }
    return internals.convertAndCacheOnCPU(dataId, values);
  };
  internals.readSync = readSync;
  return true;
}
