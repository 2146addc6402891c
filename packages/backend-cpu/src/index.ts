import '@tensorflow/tfjs-backend-cpu';
import type { BackendCapabilities, BackendPlugin } from '@recur/core';
import { kernelConfigs } from '@recur/core/kernel-api';
import * as tf from '@tensorflow/tfjs-core';
import { CPU_KERNELS } from './kernels/registry.js';

export { type GemmArgs, gemm } from './gemm.js';
export { CPU_KERNELS } from './kernels/registry.js';

const CONFIGS = kernelConfigs(CPU_KERNELS);

/**
 * The tfjs cpu backend: plain JavaScript on typed arrays, available everywhere.
 *
 * ```ts
 * import { useBackend } from '@recur/core';
 * import { cpu } from '@recur/backend-cpu';
 * await useBackend(cpu);
 * ```
 */
export const cpu: BackendPlugin = {
  name: 'cpu',
  setup() {
    // Importing @tensorflow/tfjs-backend-cpu registered the backend and tfjs' kernels;
    // Recur's fused sequence kernels join them (once: setup may run many times).
    for (const config of CONFIGS) {
      if (tf.getKernel(config.kernelName, 'cpu') == null) tf.registerKernel(config);
    }
  },
  activated(backend: tf.KernelBackend) {
    // The cpu backend prints an advert for tfjs-node on its first write in Node; Recur
    // users chose this backend on purpose.
    (backend as unknown as { firstUse?: boolean }).firstUse = false;
  },
  capabilities(): BackendCapabilities {
    return {
      fusedKernels: CONFIGS.map((c) => c.kernelName),
      environments: ['node', 'browser', 'worker'],
      exactFloat32: true,
      details: { implementation: 'JavaScript (tfjs-backend-cpu)' },
    };
  },
};
