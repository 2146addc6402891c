import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import type { BackendCapabilities, BackendPlugin } from '@recur/core';
import { kernelConfigs } from '@recur/core/kernel-api';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { sequenceKernelsSupported } from './kernels/module.js';
import { WASM_KERNELS } from './kernels/registry.js';

export { WASM_KERNELS } from './kernels/registry.js';

const CONFIGS = kernelConfigs(WASM_KERNELS);

export interface WasmOptions {
  /**
   * Where the browser fetches tfjs' `.wasm` files from (a folder URL ending in `/`, or
   * a map of file names to URLs), as `setWasmPaths` takes it. Not needed in Node, where
   * the files are read from the installed package.
   */
  readonly wasmPaths?: string | Record<string, string>;
}

let simd = false;
let threads = false;

/**
 * A wasm plug-in with options. In a browser the `.wasm` files must be served; pass
 * their location as `wasmPaths` (bundlers can import them as asset URLs).
 */
export function wasmWith(options: WasmOptions = {}): BackendPlugin {
  return {
    name: 'wasm',
    setup() {
      if (options.wasmPaths !== undefined) {
        setWasmPaths(options.wasmPaths as string, true);
      }
      // Recur's fused sequence kernels (WebAssembly SIMD in tfjs' own heap) join tfjs'
      // kernels, once: setup may run many times. An engine without SIMD keeps the
      // reference kernels, as tfjs keeps its plain build there.
      if (!sequenceKernelsSupported()) return;
      for (const config of CONFIGS) {
        if (tf.getKernel(config.kernelName, 'wasm') == null) tf.registerKernel(config);
      }
    },
    async activated() {
      simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
      threads = Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'));
    },
    capabilities(): BackendCapabilities {
      return {
        fusedKernels: CONFIGS.filter((c) => tf.getKernel(c.kernelName, 'wasm') != null).map((c) => c.kernelName),
        environments: ['node', 'browser', 'worker'],
        exactFloat32: true,
        details: {
          implementation: 'WebAssembly (tfjs-backend-wasm, XNNPACK; Recur sequence kernels in AssemblyScript SIMD)',
          simd,
          threads,
        },
      };
    },
  };
}

/**
 * The tfjs WebAssembly backend (XNNPACK, SIMD where the engine has it; tfjs turns
 * threads off in Node).
 *
 * ```ts
 * import { useBackend } from '@recur/core';
 * import { wasm } from '@recur/backend-wasm';
 * await useBackend(wasm);
 * ```
 */
export const wasm: BackendPlugin = wasmWith();
