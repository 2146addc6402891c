import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { type BackendCapabilities, type BackendPlugin, checkBoolean } from '@recur/core';
import { checkThreads, inNode, kernelConfigs, type ThreadPlan } from '@recur/core/kernel-api';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { installBatchMatMul } from './kernels/batch-mat-mul.js';
import { guardHeap } from './kernels/heap-guard.js';
import { installIdentity } from './kernels/identity.js';
import { chooseKernelBuild, relaxedSimdSupported, sequenceKernelsBuild } from './kernels/kernel-build.js';
import { sequenceKernelsSupported } from './kernels/module.js';
import { WASM_KERNELS } from './kernels/registry.js';
import { sumOfSquaresWasm } from './kernels/sum-of-squares.js';
import { startThreads } from './threads/backend-pools.js';

export type { SequenceKernelsBuild } from './kernels/kernel-build.js';
export { WASM_KERNELS } from './kernels/registry.js';

// RecurSumOfSquares takes a list, which no descriptor describes: registered beside them.
const CONFIGS = [...kernelConfigs(WASM_KERNELS), sumOfSquaresWasm];

export interface WasmOptions {
  /**
   * Where the browser fetches tfjs' `.wasm` files from (a folder URL ending in `/`, or
   * a map of file names to URLs), as `setWasmPaths` takes it: for a CDN, or files you
   * serve yourself. Default: the copies this package ships, which bundlers emit as assets.
   * Not used in Node, where tfjs reads the files from its installed package.
   */
  readonly wasmPaths?: string | Record<string, string>;
  /**
   * Whether Recur's sequence kernels may run their relaxed-SIMD build (fused multiply-add
   * in the products) where the engine validates it: Chromium 114+, Node 21+, Node 20
   * with `--experimental-wasm-relaxed-simd`. Its results may differ from the plain
   * build's by float rounding (within 1e-5 of the reference); `false` keeps the plain
   * WebAssembly SIMD build, whose numbers are the same on every engine. Default `true`.
   * `capabilities().details.kernelBuild` says which build runs.
   */
  readonly relaxedSimd?: boolean;
  /**
   * How many threads Recur's fused kernels split their batch over: an integer from 1
   * to 64. Default: the cores available (`os.availableParallelism()` in Node,
   * `navigator.hardwareConcurrency` in a Web Worker). Browsers run one thread unless the
   * page is cross-origin isolated and tfjs runs in a Web Worker; `capabilities()` says
   * how many are in use and why.
   */
  readonly threads?: number;
}

/**
 * tfjs' binaries as this package ships them (copied from the pinned tfjs-backend-wasm at
 * build time into `dist/tfjs/`). Each URL is written as `new URL('literal', import.meta.url)`
 * because that is the form bundlers (Vite, webpack 5, Rollup, Parcel) recognise: they
 * emit the file and rewrite the URL, so a bundled app needs no `wasmPaths`.
 */
function shippedWasmPaths(): Record<string, string> {
  return {
    'tfjs-backend-wasm.wasm': new URL('./tfjs/tfjs-backend-wasm.wasm', import.meta.url).href,
    'tfjs-backend-wasm-simd.wasm': new URL('./tfjs/tfjs-backend-wasm-simd.wasm', import.meta.url).href,
    'tfjs-backend-wasm-threaded-simd.wasm': new URL('./tfjs/tfjs-backend-wasm-threaded-simd.wasm', import.meta.url)
      .href,
  };
}

let simd = false;
let tfjsThreads = false;

/**
 * A wasm plug-in with options. In a browser tfjs fetches its `.wasm` files: by default
 * the copies shipped in this package (a bundler emits them with the app); pass
 * `wasmPaths` to fetch them from a CDN or your own server instead. `relaxedSimd: false`
 * keeps Recur's kernels on their plain SIMD build where the engine has relaxed SIMD.
 */
export function wasmWith(options: WasmOptions = {}): BackendPlugin {
  const relaxedSimd = checkBoolean(options.relaxedSimd, 'wasmWith(options).relaxedSimd', true);
  const requested = checkThreads('wasmWith(options).threads', options.threads);
  let plan: ThreadPlan = { count: 1, reason: 'not started' };
  return {
    name: 'wasm',
    async setup() {
      await chooseKernelBuild(relaxedSimd);
      if (options.wasmPaths !== undefined) {
        setWasmPaths(options.wasmPaths as string, true);
      } else if (!inNode()) {
        setWasmPaths(shippedWasmPaths(), true);
      }
      // tfjs' Identity (its copy of every tensor saved for a gradient) shares memory
      // instead (kernels/identity.ts); it needs no SIMD.
      installIdentity();
      // Recur's fused sequence kernels (WebAssembly SIMD in tfjs' own heap) join tfjs'
      // kernels, once: setup may run many times. An engine without SIMD keeps the
      // reference kernels, as tfjs keeps its plain build there. tfjs' BatchMatMul runs
      // Recur's product (kernels/batch-mat-mul.ts: transposed operands and long inner
      // sizes, as in every gradient, were up to ten times slower).
      if (!sequenceKernelsSupported()) return;
      for (const config of CONFIGS) {
        if (tf.getKernel(config.kernelName, 'wasm') == null) tf.registerKernel(config);
      }
      installBatchMatMul();
    },
    async activated(backend: tf.KernelBackend) {
      simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
      tfjsThreads = Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'));
      // tfjs writes a tensor at address 0 when its heap is full: throw instead (kernels/heap-guard.ts).
      guardHeap(backend);
      plan = sequenceKernelsSupported()
        ? await startThreads(backend, requested)
        : { count: 1, reason: 'the reference kernels run (no WebAssembly SIMD)' };
    },
    capabilities(): BackendCapabilities {
      return {
        fusedKernels: CONFIGS.filter((c) => tf.getKernel(c.kernelName, 'wasm') != null).map((c) => c.kernelName),
        environments: ['node', 'browser', 'worker'],
        exactFloat32: true,
        details: {
          implementation: 'WebAssembly (tfjs-backend-wasm, XNNPACK; Recur sequence kernels in AssemblyScript SIMD)',
          simd,
          kernelBuild: sequenceKernelsSupported() ? sequenceKernelsBuild() : 'none (reference kernels)',
          relaxedSimdSupported: relaxedSimdSupported(),
          // Threads of Recur's fused kernels, and why that many.
          threads: plan.count,
          threadsReason: plan.reason,
          // Whether tfjs' own kernels run its multi-threaded build (never in Node).
          tfjsThreads,
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
