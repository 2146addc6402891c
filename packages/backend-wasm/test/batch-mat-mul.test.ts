import { Rng } from '@recur/core';
import { checkLeaks, describeMatMul, expectMatMul } from '@recur/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { recurBatchMatMulInstalled } from '../src/kernels/batch-mat-mul.js';
import { useWasmUnderTest } from './wasm-under-test.js';

describe("wasm BatchMatMul (Recur's product in front of tfjs')", () => {
  checkLeaks();
  beforeAll(useWasmUnderTest);

  it('should be installed once, however often the plug-in is set up', async () => {
    expect(recurBatchMatMulInstalled()).toBe(true);
    await useWasmUnderTest();
    expect(recurBatchMatMulInstalled()).toBe(true);
    expectMatMul(new Rng(1), [4, 3], [4, 5], true, false, [3, 5]);
  });
});

// Shapes across asm/gemm.ts' blocks (256 deep, 1024 wide), and below FEW_ROWS (tfjs' kernel);
// rows past the last 4-row panel (3, 37) take its row path, over groups of four 8-column
// panels, single panels and a ragged last one (n = 70, 45).
describeMatMul('wasm BatchMatMul against float64 sums', {
  setup: useWasmUnderTest,
  shapes: [
    [1, 1, 1],
    [5, 3, 300],
    [70, 1030, 9],
    [33, 17, 513],
    [1, 40, 30],
    [3, 70, 40],
    [37, 45, 300],
  ],
});
