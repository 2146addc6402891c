import { CPU_KERNELS, cpu } from '@recur/backend-cpu';
import { ctcLoss, KERNEL_DESCRIPTORS, useBackend } from '@recur/core';
import { expectFusedMatchesReference, kernelCases, registerKernels } from '@recur/test-utils';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';

describe('cpu fused kernels against the reference', () => {
  beforeAll(async () => {
    await useBackend(cpu);
  });

  afterAll(() => {
    for (const k of CPU_KERNELS) registerKernels(k.configs, 'cpu', true);
  });

  it('should match forward within 1e-5 and gradients within 1e-4 over random shapes, masks and directions', () => {
    fc.assert(
      fc.property(kernelCases(), (c) => expectFusedMatchesReference(c, CPU_KERNELS, 'cpu')),
      { numRuns: 80, seed: 42 },
    );
  });

  it('should match the CTC loss and its gradient over random lengths, labels, blanks and zeroInfinity', () => {
    fc.assert(
      fc.property(kernelCases([ctcLoss]), (c) => expectFusedMatchesReference(c, CPU_KERNELS, 'cpu')),
      { numRuns: 40, seed: 7 },
    );
    // Long rows and labels: α and β over many steps, repeats and skips.
    const pins = { batch: 4, time: 40, classes: 6, labels: 14 };
    for (const seed of [1, 2, 3]) expectFusedMatchesReference({ descriptor: ctcLoss, seed, pins }, CPU_KERNELS, 'cpu');
  });

  it('should match on shapes larger than the product blocking, masked and reversed', () => {
    const pins = {
      ...{ batch: 6, time: 20, input: 261, units: 70, restRank: 2, rest0: 7, rest1: 9, scale: 0.1 },
      ...{ reverse: true, masked: true, initial: true, maskedOutput: 'previous', recurrentBias: true },
      ...{ activation: 'tanh', recurrentActivation: 'sigmoid' },
    };
    for (const descriptor of KERNEL_DESCRIPTORS) {
      for (const resetAfter of [false, true]) {
        expectFusedMatchesReference({ descriptor, seed: 3, pins: { ...pins, resetAfter } }, CPU_KERNELS, 'cpu');
      }
    }
  });
});
