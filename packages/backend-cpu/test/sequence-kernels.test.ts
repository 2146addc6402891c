import { cpu } from '@recur/backend-cpu';
import { useBackend } from '@recur/core';
import { expectFusedMatchesReference, registerKernels, sequenceKernelCases } from '@recur/test-utils';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { CPU_KERNEL_CONFIGS } from '../src/kernels/configs.js';

describe('cpu fused sequence kernels against the reference', () => {
  beforeAll(async () => {
    await useBackend(cpu);
  });

  afterAll(() => registerKernels(CPU_KERNEL_CONFIGS, 'cpu', true));

  it('should match forward within 1e-5 and gradients within 1e-4 over random shapes, masks and directions', () => {
    fc.assert(
      fc.property(sequenceKernelCases, (c) => expectFusedMatchesReference(c, CPU_KERNEL_CONFIGS, 'cpu')),
      { numRuns: 60, seed: 42 },
    );
  });

  it('should match on shapes larger than the product blocking, masked and reversed', () => {
    for (const kind of ['RecurLstmSequence', 'RecurGruSequence', 'RecurElmanSequence'] as const) {
      for (const resetAfter of [false, true]) {
        expectFusedMatchesReference(
          {
            kind,
            batch: 6,
            time: 20,
            input: 261,
            units: 70,
            reverse: true,
            masked: true,
            maskedOutput: 'previous',
            resetAfter,
            recurrentBias: true,
            activation: 'tanh',
            recurrentActivation: 'sigmoid',
            seed: 3,
            scale: 0.1,
          },
          CPU_KERNEL_CONFIGS,
          'cpu',
        );
      }
    }
  });
});
