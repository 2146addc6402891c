import { RecurError } from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';
import { enableDawnSyncReads, type WebGpuBackendInternals } from './dawn-sync-read.js';

/**
 * How `dataSync` reaches GPU data: tfjs' canvas readback (browsers), Recur's Dawn event
 * pump (Node), or not at all (then it throws, rather than returning wrong numbers).
 * Recur's training loop and decoders read losses and log-probabilities synchronously.
 */
export type SyncReads = 'canvas' | 'dawn' | 'unavailable';

const PROBE_SIZE = 1024;

/**
 * tfjs' browser readback copies the buffer into WebGPU canvases and reads them through a
 * 2D canvas. Where the browser cannot share a WebGPU canvas with its 2D canvases
 * (headless Chromium on SwiftShader without Vulkan compositing) that gives zeros
 * silently; one read of known values tells.
 */
function canvasReadsWork(backend: WebGpuBackendInternals): boolean {
  if (typeof OffscreenCanvas === 'undefined') return false;
  // Above tfjs' CPU hand-off size, so the sum is computed and kept on the GPU.
  const probe = tf.tidy(() => tf.add(tf.range(0, PROBE_SIZE, 1, 'float32'), tf.scalar(0.5)));
  const flags = backend as unknown as { hasReadSyncWarned?: boolean };
  const warned = flags.hasReadSyncWarned;
  // tfjs nags once about slow synchronous reads; the probe should not spend that nag.
  flags.hasReadSyncWarned = true;
  try {
    const values = backend.readSync(probe.dataId) as Float32Array;
    return values.length >= PROBE_SIZE && values.slice(0, PROBE_SIZE).every((v, i) => v === i + 0.5);
  } catch {
    return false;
  } finally {
    flags.hasReadSyncWarned = warned;
    probe.dispose();
  }
}

/** A `readSync` that serves values already on the CPU and refuses GPU reads with the reason. */
function refuseSyncReads(backend: WebGpuBackendInternals, why: string): void {
  backend.readSync = (dataId: object) => {
    const data = backend.tensorMap.get(dataId);
    if (data?.values != null) return data.values;
    throw new RecurError(
      'NOT_SUPPORTED',
      `webgpu: synchronous reads (dataSync, arraySync) are not available here: ${why}. ` +
        'Read with await tensor.data(), or use another backend for training and decoding, which read synchronously',
    );
  };
}

/** Sets up synchronous reads on a freshly started webgpu backend and says which way they go. */
export async function setUpSyncReads(backend: tf.KernelBackend, node: boolean): Promise<SyncReads> {
  const internals = backend as unknown as WebGpuBackendInternals;
  if (node && typeof OffscreenCanvas === 'undefined') {
    if (await enableDawnSyncReads(backend)) return 'dawn';
    refuseSyncReads(internals, "Dawn's event callback could not be reached (an unsupported version of npm webgpu?)");
    return 'unavailable';
  }
  if (canvasReadsWork(internals)) return 'canvas';
  refuseSyncReads(
    internals,
    'the WebGPU canvas readback gives wrong values in this browser (headless Chromium on SwiftShader needs ' +
      '--enable-features=Vulkan --use-vulkan=swiftshader)',
  );
  return 'unavailable';
}
