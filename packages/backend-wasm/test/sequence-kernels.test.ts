import { WASM_KERNELS } from '@recur/backend-wasm';
import {
  ctcLoss,
  elmanSequence,
  gruSequence,
  KERNEL_DESCRIPTORS,
  lstmSequence,
  RecurError,
  RecurSumOfSquares,
  Rng,
  SEQUENCE_KERNEL_ACTIVATIONS,
  slstmSequence,
} from '@recur/core';
import {
  checkLeaks,
  expectBackwardSkipsX,
  expectClose,
  expectCoversEveryDescriptor,
  expectFusedMatchesReference as expectMatch,
  expectSkippingChangesNothing,
  type KernelCase,
  kernelCases,
  matMulReference,
} from '@recur/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { kernelsFor } from '../src/kernels/module.js';
import { useWasmUnderTest, wasmUnderTest } from './wasm-under-test.js';

const expectFusedMatchesReference = (c: KernelCase) => expectMatch(c, WASM_KERNELS, 'wasm');

describe('wasm fused kernels', () => {
  checkLeaks();

  beforeAll(async () => {
    await useWasmUnderTest();
  });

  describe('against the reference', () => {
    it('should match forward within 1e-5 and gradients within 1e-4 over random shapes, masks and directions', () => {
      fc.assert(fc.property(kernelCases(), expectFusedMatchesReference), { numRuns: 80, seed: 42 });
    });

    it('should return zeros for dX, and the same other gradients, when the backward is told to skip x', () => {
      for (const descriptor of [lstmSequence, gruSequence, elmanSequence, slstmSequence]) {
        for (const seed of [1, 2]) expectBackwardSkipsX({ descriptor, seed }, WASM_KERNELS, 'wasm');
      }
    });

    it('should skip the gradient of x, when only the others are asked for, without changing any other', () => {
      fc.assert(
        fc.property(kernelCases(), (c) => expectSkippingChangesNothing(c, WASM_KERNELS, 'wasm')),
        { numRuns: 40, seed: 43 },
      );
    });

    it('should match with every activation the kernels accept, as candidate and as gate', () => {
      fc.assert(
        fc.property(
          kernelCases(),
          fc.constantFrom(...SEQUENCE_KERNEL_ACTIVATIONS),
          fc.constantFrom(...SEQUENCE_KERNEL_ACTIVATIONS),
          // Small weights, and one step where an activation is exponential: through the
          // recurrence an LSTM's output grows as exp(exp(·)) and overflows, so its
          // conditioning, not the kernels, would set the error.
          (c, activation, recurrentActivation) => {
            const explosive = activation === 'exponential' || recurrentActivation === 'exponential';
            const time = explosive ? 1 : (c.seed % 3) + 1;
            expectFusedMatchesReference({ ...c, pins: { time, scale: 0.25, activation, recurrentActivation } });
          },
        ),
        { numRuns: 40, seed: 7 },
      );
    });

    it('should match the CTC loss and its gradient over random lengths, labels, blanks and zeroInfinity', () => {
      fc.assert(fc.property(kernelCases([ctcLoss]), expectFusedMatchesReference), { numRuns: 40, seed: 7 });
      // Long rows and labels: α and β over many steps, repeats and skips.
      const pins = { batch: 4, time: 40, classes: 6, labels: 14 };
      for (const seed of [1, 2, 3]) expectFusedMatchesReference({ descriptor: ctcLoss, seed, pins });
    });

    it('should match on shapes larger than the product blocking (64-row, 256-deep panels)', () => {
      const pins = {
        ...{ batch: 6, time: 45, input: 261, units: 90, restRank: 2, rest0: 9, rest1: 11 },
        ...{ masked: true, initial: true, maskedOutput: 'previous', recurrentBias: true },
        ...{ activation: 'tanh', recurrentActivation: 'sigmoid' },
        // Glorot-like weights for 261 inputs: larger ones saturate the gates, and over 45
        // steps the recurrence amplifies float rounding beyond 1e-5 in either implementation.
        scale: 0.1,
      };
      for (const descriptor of KERNEL_DESCRIPTORS) {
        for (const [resetAfter, reverse] of [
          [false, true],
          [true, false],
        ] as const) {
          expectFusedMatchesReference({ descriptor, seed: 3, pins: { ...pins, resetAfter, reverse } });
        }
      }
    });
  });

  describe('plug-in kernel list', () => {
    it('should implement each of core kernel descriptors exactly once, and register every fused kernel', () => {
      expectCoversEveryDescriptor(WASM_KERNELS, 'wasm');
      const names = WASM_KERNELS.flatMap((k) => k.configs.map((c) => c.kernelName));
      // The sum of squares takes a list, which no descriptor describes: it is registered beside them.
      for (const name of [...names, RecurSumOfSquares]) expect(tf.getKernel(name, 'wasm')).toBeDefined();
      expect(wasmUnderTest.capabilities().fusedKernels).toEqual([...names, RecurSumOfSquares]);
    });
  });

  describe('input checks', () => {
    it('should refuse a weight whose shape disagrees with x and h0, naming it', () => {
      const call = () =>
        tf.tidy(() =>
          tf.engine().runKernel(
            elmanSequence.name,
            {
              x: tf.zeros([2, 3, 4]),
              kernel: tf.zeros([5, 6]),
              recurrentKernel: tf.zeros([6, 6]),
              bias: tf.zeros([6]),
              h0: tf.zeros([2, 6]),
              mask: tf.ones([2, 3]),
            },
            { activation: 'tanh', reverse: false, maskedOutput: 'zeros' },
          ),
        );
      expect(call).toThrow(RecurError);
      expect(call).toThrow(/'kernel'.*shape \[4, 6\].*\[5, 6\]/);
    });
  });
});

describe('wasm gemm', () => {
  checkLeaks();

  beforeAll(async () => {
    await useWasmUnderTest();
  });

  it('should match a float64 product for every transposition on shapes crossing its blocking', () => {
    const shapes = [
      [1, 1, 1],
      [3, 5, 7],
      [65, 9, 300],
      [130, 33, 257],
      [7, 70, 513],
    ] as const;
    const backend = tf.backend() as unknown as {
      wasm: { _malloc(n: number): number; _free(p: number): void; HEAPF32: Float32Array };
    };
    const kernels = kernelsFor(tf.backend());
    const rng = new Rng(11);
    for (const [m, n, k] of shapes) {
      for (const transA of [false, true]) {
        for (const transB of [false, true]) {
          const a = rng.fillUniform(new Float32Array(m * k), -1, 1);
          const b = rng.fillUniform(new Float32Array(k * n), -1, 1);
          const expected = matMulReference(a, b, { m, n, k, transA, transB });
          const work = 64 * 1024 + 128 + 1024 * Math.ceil(n / 8) * 8;
          const bytes = 4 * (m * k + k * n + m * n) + work + 16;
          const raw = backend.wasm._malloc(bytes);
          const base = raw + ((16 - (raw % 16)) % 16);
          const pa = base;
          const pb = pa + 4 * m * k;
          const pc = pb + 4 * k * n;
          const pw = pc + 4 * m * n;
          backend.wasm.HEAPF32.set(a, pa / 4);
          backend.wasm.HEAPF32.set(b, pb / 4);
          kernels.gemm(transA, transB, m, n, k, pa, transA ? m : k, pb, transB ? k : n, pc, n, false, pw);
          const actual = Array.from(backend.wasm.HEAPF32.subarray(pc / 4, pc / 4 + m * n));
          backend.wasm._free(raw);
          expectClose(actual, expected, { rtol: 1e-5, atol: 1e-5 });
        }
      }
    }
  });
});
