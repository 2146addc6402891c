import { scan } from '@recur/core';
import { checkLeaks, describeBackends, expectClose } from '@recur/test-utils';
import type * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { H, KERNEL_CONFIGS, makeCase, SCENARIOS, useReferenceKernels } from './kernels-cases.js';
import { release } from './scan-cells.js';

describeBackends('reference sequence kernels, forward', () => {
  checkLeaks();
  useReferenceKernels();

  describe.each(KERNEL_CONFIGS)('%s', (_label, kind, options) => {
    it.each(SCENARIOS)('should equal stepping the cell with %s', (_name, scenario) => {
      const c = makeCase(kind, options, scenario, 11);
      const opts = { ...c.options, ...(c.initial ? { initialState: c.initial } : {}) };
      const kernel = scan(c.fused, c.params, c.xs, opts);
      const stepped = scan(c.stepped, c.params, c.xs, opts);
      expect(kernel.outputs.shape).toEqual([scenario.batch, scenario.time, H]);
      expectClose(kernel.outputs, stepped.outputs, { rtol: 1e-5, atol: 1e-6 });
      for (const key of Object.keys(stepped.state ?? {})) {
        expectClose(kernel.state?.[key] as tf.Tensor, stepped.state?.[key] as tf.Tensor, { rtol: 1e-5, atol: 1e-6 });
      }
      const last = scan(c.fused, c.params, c.xs, { ...opts, returnSequences: false });
      const lastStepped = scan(c.stepped, c.params, c.xs, { ...opts, returnSequences: false });
      expectClose(last.outputs, lastStepped.outputs, { rtol: 1e-5, atol: 1e-6 });
      release(kernel, stepped, last, lastStepped);
      c.dispose();
    });
  });
});
