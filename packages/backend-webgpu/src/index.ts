import type { BackendCapabilities, BackendPlugin } from '@recur/core';
import { badArgument } from '@recur/core';
import { kernelConfigs } from '@recur/core/kernel-api';
import { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import * as tf from '@tensorflow/tfjs-core';
import { fixCumKey } from './cum-key.js';
import { findGpu, type GpuAdapterInfoLike, type GpuAdapterLike, type GpuLike, isNode, requestAdapter } from './gpu.js';
import { WEBGPU_KERNELS } from './kernels/registry.js';
import { registerPowKernel } from './pow.js';
import { type SyncReads, setUpSyncReads } from './sync-read.js';
import { fixTranspose } from './transpose.js';

export type { GpuAdapterInfoLike, GpuAdapterLike, GpuLike } from './gpu.js';
export { WEBGPU_KERNELS } from './kernels/registry.js';
export type { SyncReads } from './sync-read.js';

export interface WebGpuOptions {
  /**
   * The WebGPU entry point to use instead of `navigator.gpu` (in Node, e.g.
   * `create(['enable-dawn-features=...'])` from the npm `webgpu` package).
   */
  readonly gpu?: GpuLike;
  /** Which adapter to ask for where there are several. Default `'high-performance'`, as tfjs. */
  readonly powerPreference?: 'low-power' | 'high-performance';
}

/** tfjs' own priority for webgpu, so an app that never calls `useBackend` sees tfjs' order. */
const TFJS_PRIORITY = 3;

/** An adapter found by `setup()`, handed to the backend factory (an adapter makes one device). */
let pendingAdapter: GpuAdapterLike | undefined;
let adapterInfo: GpuAdapterInfoLike = {};
let syncReads: SyncReads = 'unavailable';
let activatedBackend: tf.KernelBackend | undefined;
let transposeFixed = false;
let cumKeyFixed = false;
let powForwarded = false;

const CONFIGS = kernelConfigs(WEBGPU_KERNELS);

/** The device limits tfjs asks for (tfjs-backend-webgpu's own factory, `base.ts`). */
function deviceDescriptor(adapter: GpuAdapterLike): object {
  const limits = adapter.limits;
  return {
    requiredLimits: {
      maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
      maxComputeWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension,
      maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
      maxBufferSize: limits.maxBufferSize,
      maxComputeWorkgroupSizeX: limits.maxComputeWorkgroupSizeX,
      maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
    },
  };
}

/**
 * A webgpu plug-in with options. `setup()` finds the GPU (`navigator.gpu`; in Node, Dawn
 * from the npm `webgpu` package, which it exposes as `navigator.gpu`) and asks for an
 * adapter, so a machine without one fails `useBackend` with the reason rather than when
 * tfjs first runs an op.
 */
export function webgpuWith(options: WebGpuOptions = {}): BackendPlugin {
  const powerPreference = options.powerPreference ?? 'high-performance';
  if (powerPreference !== 'high-performance' && powerPreference !== 'low-power') {
    throw badArgument(
      'BAD_CONFIG',
      'webgpuWith(options).powerPreference',
      "'high-performance' or 'low-power'",
      powerPreference,
    );
  }
  const factory = async () => {
    const chosen = pendingAdapter ?? (await requestAdapter(options.gpu ?? (await findGpu()), powerPreference));
    pendingAdapter = undefined;
    const device = await chosen.requestDevice(deviceDescriptor(chosen));
    return new WebGPUBackend(
      device as ConstructorParameters<typeof WebGPUBackend>[0],
      chosen.info as ConstructorParameters<typeof WebGPUBackend>[1],
    );
  };
  return {
    name: 'webgpu',
    async setup() {
      powForwarded = registerPowKernel();
      // Recur's fused WGSL kernels join tfjs' kernels, once: setup may run many times.
      for (const config of CONFIGS) {
        if (tf.getKernel(config.kernelName, 'webgpu') == null) tf.registerKernel(config);
      }
      // A running backend keeps its device: setup runs before every useBackend.
      if (tf.findBackend('webgpu') != null) return;
      const gpu = options.gpu ?? (await findGpu());
      const adapter = await requestAdapter(gpu, powerPreference);
      pendingAdapter = adapter;
      adapterInfo = adapter.info ?? {};
      const registered = tf.findBackendFactory('webgpu');
      if (registered === factory) return;
      // Importing tfjs-backend-webgpu registered tfjs' factory where navigator.gpu existed
      // at that moment; ours replaces it so that Node (Dawn) and the adapter found above work.
      if (registered != null) tf.removeBackend('webgpu');
      tf.registerBackend('webgpu', factory, TFJS_PRIORITY);
    },
    async activated(backend: tf.KernelBackend) {
      transposeFixed = fixTranspose(backend);
      cumKeyFixed = fixCumKey(backend);
      // activated() runs on every useBackend; the backend object lives until removed.
      if (activatedBackend === backend) return;
      activatedBackend = backend;
      syncReads = await setUpSyncReads(backend, isNode());
    },
    capabilities(): BackendCapabilities {
      return {
        fusedKernels: CONFIGS.filter((c) => tf.getKernel(c.kernelName, 'webgpu') != null).map((c) => c.kernelName),
        environments: ['node', 'browser', 'worker'],
        // WGSL f32 storage and arithmetic throughout; tfjs-backend-webgpu uses no f16.
        exactFloat32: true,
        details: {
          implementation:
            'WebGPU (tfjs-backend-webgpu, WGSL); sequence kernels: Recur WGSL (LSTM, GRU, linear scan), core reference ops for the rest',
          vendor: adapterInfo.vendor ?? '',
          architecture: adapterInfo.architecture ?? '',
          description: adapterInfo.description ?? '',
          syncReads,
          kernelFixes: [
            transposeFixed ? 'Transpose of int32/bool (tfjs 4.22 emits invalid WGSL)' : '',
            cumKeyFixed
              ? 'Reverse Cumsum/Cumprod pipelines keyed by axis length (tfjs 4.22 reuses one length for all)'
              : '',
            powForwarded ? 'Pow of small CPU-resident operands computed on the CPU, as cpu rounds it' : '',
          ]
            .filter(Boolean)
            .join('; '),
        },
      };
    },
  };
}

/**
 * The tfjs WebGPU backend, in browsers and workers (`navigator.gpu`) and in Node through
 * Dawn (install the npm `webgpu` package; without a GPU, set `VK_ICD_FILENAMES` to a
 * software Vulkan driver such as SwiftShader).
 *
 * ```ts
 * import { useBackend } from '@recur/core';
 * import { webgpu } from '@recur/backend-webgpu';
 * await useBackend(webgpu);
 * ```
 */
export const webgpu: BackendPlugin = webgpuWith();
