import '@tensorflow/tfjs-backend-cpu';
import type { BackendCapabilities, BackendPlugin } from '@recur/core';
import type * as tf from '@tensorflow/tfjs-core';

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
    // Importing @tensorflow/tfjs-backend-cpu registered the backend and its kernels.
  },
  activated(backend: tf.KernelBackend) {
    // The cpu backend prints an advert for tfjs-node on its first write in Node; Recur
    // users chose this backend on purpose.
    (backend as unknown as { firstUse?: boolean }).firstUse = false;
  },
  capabilities(): BackendCapabilities {
    return {
      fusedKernels: [],
      environments: ['node', 'browser', 'worker'],
      exactFloat32: true,
      details: { implementation: 'JavaScript (tfjs-backend-cpu)' },
    };
  },
};
