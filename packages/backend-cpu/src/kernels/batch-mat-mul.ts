/**
 * tfjs' `BatchMatMul` and `_FusedMatMul` on the cpu backend, run by Recur's packed
 * product (gemm.ts) instead of tfjs' JavaScript loops.
 *
 * Why: tfjs' cpu `matMul` walks op(A) and op(B) through strided indices, 48 × 48 blocks at
 * a time, at about 0.7 GFLOP/s here; gemm.ts packs both operands whatever their
 * transposition and keeps a 4 × 2 block of C in locals, at 5.5–6 GFLOP/s, and a big product
 * splits over the backend's thread pool. Every dense layer, head, attention
 * product and their gradients (tfjs' gradient of a product is two transposed products)
 * on cpu gets it at once; Recur's fused sequence kernels already call gemm.ts directly.
 *
 * The sums are the same in another order (gemm.ts accumulates 256 terms at a time in
 * doubles, tfjs 48): equal to tfjs' within float32 rounding. Batch axes broadcast as
 * numpy's (tfjs' cpu kernel indexes a batch modulo each operand's count, wrong for
 * [2, 1, …]·[1, 3, …]). tfjs' kernel keeps only non-float32 (int32) inputs: measured per call
 * (CPU time, medians of 5), it was nowhere faster, not even on the smallest products
 * ([1, 16]·[16, 10]: 2.5 µs both; [8, 8]·[8, 8]: 2.9 µs here, 4.0 tfjs'; [16, 16]·[16, 16]:
 * 6.5 against 14.9; [32, 256]·[256, 10]: 62 against 169).
 */
import { type MatMulShapes, matMulShapes, rowShares } from '@recur/core/kernel-api';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import type { CpuThreadPool } from '../threads/cpu-pool.js';
import { arrayType, type JobInput, type RowArray } from '../threads/row-job.js';
import { cpuPools } from '../threads/split-rows.js';
import { putInFront, stockKernel } from './in-front.js';
import { type MatMulArrays, type MatMulDims, matMulRows } from './mat-mul-rows.js';

/**
 * Products of at least this many multiply-adds split over the pool, each block at least
 * `MIN_BLOCK` rows or columns. Copying the operands into the pool's memory, waking a
 * worker and copying C out cost about 0.1 ms of CPU time (measured with 2 threads, CPU
 * time of both, medians of 9: [32, 64]·[64, 64] 0.15 ms on one thread, 0.25 split;
 * [64, 128]·[128, 128] 0.51 and 0.56; [256, 256]·[256, 256] 7.4 and 7.3), which a
 * product of 1 Mi multiply-adds (0.5 ms) pays back on a free core.
 */
const SPLIT_MADDS = 1 << 20;
const MIN_BLOCK = 16;

type MatMulArgs = {
  inputs: { a: tf.TensorInfo; b: tf.TensorInfo };
  backend: MathBackendCPU;
  attrs: { transposeA?: boolean; transposeB?: boolean };
};

const valuesOf = (backend: MathBackendCPU, info: tf.TensorInfo): Float32Array =>
  backend.data.get(info.dataId).values as Float32Array;

type Block = Pick<MatMulDims, 'first' | 'count' | 'column' | 'columns'>;

/** Equal blocks of `total`, a multiple of 4 long (gemm.ts' tile), at most `threads`. */
function fours(total: number, threads: number): [number, number][] {
  const step = Math.ceil(total / threads / 4) * 4;
  const blocks: [number, number][] = [];
  for (let first = 0; first < total; first += step) blocks.push([first, Math.min(step, total - first)]);
  return blocks;
}

/**
 * The output's blocks, one per thread: whole matrices where there are enough; else the
 * longer side of one matrix cut, so that each thread packs only its part of the operand
 * that side comes from (cut by rows, every thread would pack all of B, as a weight
 * gradient's product of few rows and many columns would have it).
 */
function productShares(s: MatMulShapes, threads: number): Block[] {
  const { batch, m, n } = s;
  if (batch >= threads) {
    return rowShares(batch, threads).map(([first, count]) => ({
      first: first * m,
      count: count * m,
      column: 0,
      columns: n,
    }));
  }
  if (batch * m >= n)
    return fours(batch * m, threads).map(([first, count]) => ({ first, count, column: 0, columns: n }));
  return fours(n, threads).map(([column, columns]) => ({ first: 0, count: batch * m, column, columns }));
}

/** The product's blocks on the pool's threads, the operands copied into its memory and C copied out. */
function splitProduct(pool: CpuThreadPool, s: MatMulShapes, arrays: MatMulArrays): void {
  const { c } = arrays;
  const all = Object.entries(arrays) as [keyof MatMulArrays, RowArray][];
  let end = pool.inputs(all.reduce((bytes, [, array]) => bytes + Math.ceil(array.byteLength / 8) * 8, 0));
  const memory = new Uint8Array(pool.memory.buffer);
  const inputs: Record<string, JobInput> = {};
  for (const [name, array] of all) {
    // C's rows are written by the jobs: no need to copy it in.
    if (name !== 'c') memory.set(new Uint8Array(array.buffer, array.byteOffset, array.byteLength), end);
    inputs[name] = { at: end, length: array.length, type: arrayType(array) };
    end += Math.ceil(array.byteLength / 8) * 8;
  }
  const { m, n, k, transA, transB } = s;
  const jobs = productShares(s, pool.threads).map((block) => ({
    name: 'matMulRows' as const,
    inputs,
    dims: { m, n, k, transA, transB, ...block },
    attrs: false,
  }));
  pool.run(jobs);
  const at = inputs.c as { at: number };
  c.set(new Float32Array(pool.memory.buffer, at.at, c.length));
}

/** Whether `threads` blocks of the product would each hold a matrix, or `MIN_BLOCK` rows or columns. */
const cuttable = (s: MatMulShapes, threads: number): boolean =>
  s.batch >= threads || Math.max(s.batch * s.m, s.n) >= MIN_BLOCK * threads;

/** The product through gemm.ts, or undefined where tfjs' own kernel runs (see the file comment). */
function recurProduct({ inputs: { a, b }, backend, attrs }: MatMulArgs): tf.TensorInfo | undefined {
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return undefined;
  const s = matMulShapes('cpu BatchMatMul', a, b, attrs);
  const { batch, m, n, k } = s;
  const madds = batch * m * n * k;
  const c = new Float32Array(batch * m * n);
  if (madds > 0) {
    const arrays = { a: valuesOf(backend, a), b: valuesOf(backend, b), c, aIndex: s.aIndex, bIndex: s.bIndex };
    const pool = cpuPools.get(backend);
    if (pool !== undefined && madds >= SPLIT_MADDS && cuttable(s, pool.threads)) {
      splitProduct(pool, s, arrays);
    } else {
      const whole = { first: 0, count: batch * m, column: 0, columns: n };
      matMulRows(arrays, { m, n, k, transA: s.transA, transB: s.transB, ...whole });
    }
  }
  return backend.makeTensorInfo([...s.outer, m, n], 'float32', c);
}

/** tfjs' kernels for `_FusedMatMul`'s activations, as tfjs' cpu `applyActivation` picks them. */
const ACTIVATIONS: Readonly<Record<string, string>> = {
  relu: tf.Relu,
  elu: tf.Elu,
  relu6: tf.Relu6,
  prelu: tf.Prelu,
  leakyrelu: tf.LeakyRelu,
  sigmoid: tf.Sigmoid,
};

type FusedArgs = MatMulArgs & {
  inputs: { bias?: tf.TensorInfo; preluActivationWeights?: tf.TensorInfo };
  attrs: { activation?: string; leakyreluAlpha?: number };
};

/** Runs tfjs' registered cpu kernel `name`. */
function runCpu(name: string, args: Omit<Parameters<tf.KernelFunc>[0], 'backend'>, backend: MathBackendCPU) {
  const config = tf.getKernel(name, 'cpu') as tf.KernelConfig;
  return config.kernelFunc({ ...args, backend } as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
}

/** `_FusedMatMul` as tfjs' cpu kernel computes it (product, + bias, activation), the product through gemm.ts. */
function recurFusedProduct(args: FusedArgs): tf.TensorInfo | undefined {
  const { backend, inputs, attrs } = args;
  let current = recurProduct(args);
  if (current === undefined) return undefined;
  const steps: [string, (x: tf.TensorInfo) => Omit<Parameters<tf.KernelFunc>[0], 'backend'>][] = [];
  if (inputs.bias != null) steps.push([tf.Add, (x) => ({ inputs: { a: x, b: inputs.bias as tf.TensorInfo } })]);
  const activation = attrs.activation ?? 'linear';
  if (activation !== 'linear') {
    const kernel = ACTIVATIONS[activation];
    if (kernel === undefined) {
      backend.disposeIntermediateTensorInfo(current);
      return undefined;
    }
    steps.push([
      kernel,
      (x) => ({
        inputs: activation === 'prelu' ? { x, alpha: inputs.preluActivationWeights as tf.TensorInfo } : { x },
        // Only LeakyRelu reads alpha; tf.fused.matMul always sets it (default 0.2).
        attrs: { alpha: attrs.leakyreluAlpha ?? 0.2 } as tf.NamedAttrMap,
      }),
    ]);
  }
  for (const [kernel, argsOf] of steps) {
    const next = runCpu(kernel, argsOf(current), backend);
    backend.disposeIntermediateTensorInfo(current);
    current = next;
  }
  return current;
}

/**
 * Puts Recur's product in front of tfjs' registered cpu `BatchMatMul` and `_FusedMatMul`
 * (once each): the same configs, whose kernels fall back to tfjs' for the cases
 * `recurProduct` leaves.
 */
export function installMatMul(): void {
  putInFront(tf.BatchMatMul, recurProduct);
  putInFront(tf._FusedMatMul, recurFusedProduct);
}

/** tfjs' own cpu kernel `name` (`BatchMatMul` or `_FusedMatMul`) where `installMatMul` replaced it; else undefined. */
export const stockMatMul = stockKernel;
