import '@tensorflow/tfjs-backend-cpu';
import type { BackendCapabilities, BackendPlugin } from '@recur/core';
import { checkThreads, kernelConfigs, planThreads, type ThreadPlan } from '@recur/core/kernel-api';
import * as tf from '@tensorflow/tfjs-core';
import { installMatMul } from './kernels/batch-mat-mul.js';
import { CPU_KERNELS } from './kernels/registry.js';
import { installSliceAndPad } from './kernels/slice-pad.js';
import { sumOfSquaresCpu } from './kernels/sum-of-squares.js';
import { CpuThreadPool } from './threads/cpu-pool.js';
import { cpuPools } from './threads/split-rows.js';

export { type GemmArgs, gemm } from './gemm.js';
export { CPU_KERNELS } from './kernels/registry.js';

// RecurSumOfSquares takes a list, which no descriptor describes: registered beside them.
const CONFIGS = [...kernelConfigs(CPU_KERNELS), sumOfSquaresCpu];

/** Options of the cpu plug-in (`cpuWith`). */
export interface CpuOptions {
  /**
   * How many threads every fused kernel splits its batch rows over, and a matrix product
   * of at least 1 Mi multiply-adds its rows or columns: an integer from 1 to 64. Default: the cores available (`os.availableParallelism()` in Node,
   * `navigator.hardwareConcurrency` in a Web Worker). Browsers run one thread unless the
   * page is cross-origin isolated and tfjs runs in a Web Worker; `capabilities()` says
   * how many are in use and why.
   */
  readonly threads?: number;
}

/** A cpu plug-in with options (`cpuWith({ threads: 1 })`). */
export function cpuWith(options: CpuOptions = {}): BackendPlugin {
  const requested = checkThreads('cpuWith(options).threads', options.threads);
  let plan: ThreadPlan = { count: 1, reason: 'not started' };
  return {
    name: 'cpu',
    setup() {
      // Importing @tensorflow/tfjs-backend-cpu registered the backend and tfjs' kernels;
      // Recur's fused sequence kernels join them (once: setup may run many times).
      for (const config of CONFIGS) {
        if (tf.getKernel(config.kernelName, 'cpu') == null) tf.registerKernel(config);
      }
      // tfjs' matrix products on cpu run gemm.ts too, split over the threads where they are big.
      installMatMul();
      // And its Slice and PadV2 copy whole runs (a many-to-one model's last step, and its gradient).
      installSliceAndPad();
    },
    async activated(backend: tf.KernelBackend) {
      // The cpu backend prints an advert for tfjs-node on its first write in Node; Recur
      // users chose this backend on purpose.
      (backend as unknown as { firstUse?: boolean }).firstUse = false;
      plan = await planThreads(requested);
      // Activating the backend again with the same count keeps its workers.
      if (cpuPools.get(backend)?.threads === plan.count) return;
      await cpuPools.stop(backend);
      if (plan.count > 1) cpuPools.set(backend, await CpuThreadPool.start(plan.count));
    },
    capabilities(): BackendCapabilities {
      return {
        fusedKernels: CONFIGS.map((c) => c.kernelName),
        environments: ['node', 'browser', 'worker'],
        exactFloat32: true,
        details: { implementation: 'JavaScript (tfjs-backend-cpu)', threads: plan.count, threadsReason: plan.reason },
      };
    },
  };
}

/**
 * The tfjs cpu backend: plain JavaScript on typed arrays, available everywhere; Recur's
 * fused kernels on every core in Node, and in a browser's Web Worker on a
 * cross-origin-isolated page.
 *
 * ```ts
 * import { useBackend } from '@recur/core';
 * import { cpu } from '@recur/backend-cpu';
 * await useBackend(cpu);
 * ```
 */
export const cpu: BackendPlugin = cpuWith();
