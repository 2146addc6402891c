import { CPU_KERNELS, cpu } from '@recur/backend-cpu';
import {
  ctcLoss,
  elmanSequence,
  gruSequence,
  KERNEL_DESCRIPTORS,
  lstmSequence,
  Rng,
  slstmSequence,
  useBackend,
} from '@recur/core';
import {
  expectBackwardSkipsX,
  expectFusedMatchesReference,
  expectSkippingChangesNothing,
  kernelCases,
  registerKernels,
} from '@recur/test-utils';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lstmBackward, lstmForward } from '../src/kernels/lstm.js';

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

  it('should return zeros for dX, and the same other gradients, when the backward is told to skip x', () => {
    for (const descriptor of [lstmSequence, gruSequence, elmanSequence, slstmSequence]) {
      for (const seed of [1, 2]) expectBackwardSkipsX({ descriptor, seed }, CPU_KERNELS, 'cpu');
    }
  });

  it('should skip the gradient of x, when only the others are asked for, without changing any other', () => {
    fc.assert(
      fc.property(kernelCases(), (c) => expectSkippingChangesNothing(c, CPU_KERNELS, 'cpu')),
      { numRuns: 40, seed: 43 },
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

describe('the cpu LSTM backward on arrays', () => {
  it('should leave dX zero and compute nothing else differently when told to skip x', () => {
    const d = { batch: 3, time: 5, input: 4, units: 6 };
    const rng = new Rng(5);
    const u = (n: number) => rng.fillUniform(new Float32Array(n), -1, 1);
    const G = 4 * d.units;
    const v = {
      x: u(d.batch * d.time * d.input),
      kernel: u(d.input * G),
      recurrentKernel: u(d.units * G),
      bias: u(G),
      h0: u(d.batch * d.units),
      c0: u(d.batch * d.units),
      mask: new Float32Array(d.batch * d.time).fill(1),
    };
    const attrs = {
      activation: 'tanh',
      recurrentActivation: 'sigmoid',
      reverse: false,
      maskedOutput: 'zeros',
    } as const;
    const out = lstmForward(v, d, attrs);
    const g = {
      ...v,
      ...out,
      dys: u(d.batch * d.time * d.units),
      dhT: u(d.batch * d.units),
      dcT: u(d.batch * d.units),
    };
    const full = lstmBackward(g, d, attrs);
    const skipped = lstmBackward(g, d, { ...attrs, skipGradients: ['x'] });
    expect(full.dx.some((value) => value !== 0)).toBe(true);
    expect(skipped.dx).toEqual(new Float32Array(full.dx.length));
    expect({ ...skipped, dx: undefined }).toEqual({ ...full, dx: undefined });
  });
});
