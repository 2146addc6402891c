/**
 * tfjs' `BatchMatMul` on the wasm backend, run by Recur's own SIMD product (asm/gemm.ts)
 * in tfjs' heap instead of tfjs' XNNPACK call.
 *
 * Why: tfjs' wasm `matMul` with a transposed operand runs about ten times slower than
 * without (it transposes element by element before XNNPACK; batch 16 × time 512, 64 → 512:
 * 230 ms against 19 ms), and tfjs' gradient of every `matMul` is made of transposed
 * products (dA = dC·Bᵀ, dB = Aᵀ·dC). Even untransposed, XNNPACK packs its right-hand
 * operand anew at every call and runs its micro-kernel over the whole inner dimension,
 * which leaves the caches when it is long: the weight gradient of a sequence projection
 * (`[64, 32768]·[32768, 512]`, minGRU at T = 2048) took 660 ms. Recur's product packs
 * either operand in 256-deep blocks whatever its transposition (a transpose costs only
 * its packing) and keeps both panels in L1/L2, so every dense layer, head and gradient on
 * wasm gets it at once.
 *
 * The sums are the same in another order: equal to tfjs' within float32 rounding. Batch
 * axes broadcast as numpy's (tfjs' own wasm kernel gets mixed broadcasts such as
 * [2, 1, …]·[1, 3, …] wrong: it runs max(2, 3) products). tfjs' kernel keeps untransposed
 * products of few rows (see `FEW_ROWS`) and non-float32 inputs, which it refuses; not an
 * inner size of 0, for which it returns uninitialised memory instead of zeros.
 */
import { RecurError } from '@recur/core';
import { matMulShapes } from '@recur/core/kernel-api';
import * as tf from '@tensorflow/tfjs-core';
import { kernelsFor, type WasmBackendLike } from './module.js';

/**
 * Untransposed products of fewer rows stay with tfjs: XNNPACK keeps the packed copy of a
 * right-hand operand it has seen (a layer's weights), so a step of generation, [1, 256]
 * by [256, 1024], costs it 27 µs against 220 µs here, where packing B is the whole cost.
 */
const FEW_ROWS = 32;
/** Column blocks of this width bound the scratch (one packed 256 × NC block of B) to about 1 MiB. */
const NC = 1024;
/** asm/gemm.ts' blocking: scratch = MC·KC floats of A, a 4×8 tile, KC·padN(n) floats of B. */
const [MC, KC] = [64, 256];
const workBytes = (n: number): number => (MC * KC + 32 + KC * Math.ceil(n / 8) * 8) * 4;

type MatMulArgs = {
  inputs: { a: tf.TensorInfo; b: tf.TensorInfo };
  backend: WasmBackendLike;
  attrs: { transposeA?: boolean; transposeB?: boolean };
};

const size = (shape: readonly number[]): number => shape.reduce((p, d) => p * d, 1);

/** The product through asm/gemm.ts, or undefined where tfjs' own kernel must run (see the file comment). */
function recurProduct({ inputs: { a, b }, backend, attrs }: MatMulArgs): tf.TensorInfo | undefined {
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return undefined;
  const { transA, transB, m, k, n, outer, batch, aIndex, bIndex } = matMulShapes('wasm BatchMatMul', a, b, attrs);
  const [batchA, batchB] = [size(a.shape.slice(0, -2)), size(b.shape.slice(0, -2))];
  const simple = batchA === batchB || batchA === 1 || batchB === 1;
  if (!transA && !transB && m < FEW_ROWS && k > 0 && simple) return undefined;
  const out = backend.makeOutput([...outer, m, n], 'float32');
  if (batch * m * n === 0) return out;
  const at = (info: tf.TensorInfo): number =>
    (backend.dataIdMap.get(info.dataId) as { memoryOffset: number }).memoryOffset;
  const kernels = kernelsFor(backend);
  const nc = Math.min(n, NC);
  const bytes = workBytes(nc) + 16;
  const raw = backend.wasm._malloc(bytes);
  if (raw === 0) {
    backend.disposeData(out.dataId, true);
    throw new RecurError(
      'BACKEND_UNAVAILABLE',
      `wasm BatchMatMul: expected ${bytes} bytes of scratch from tfjs' heap, received none (out of memory)`,
    );
  }
  // Offsets, not views: _malloc may have grown the heap, which detaches any typed array.
  const work = raw + ((16 - (raw % 16)) % 16);
  const [pa, pb, pc] = [at(a), at(b), at(out)];
  const [lda, ldb] = [transA ? m : k, transB ? k : n];
  try {
    for (let i = 0; i < batch; i++) {
      const ai = pa + (aIndex[i] as number) * m * k * 4;
      const bi = pb + (bIndex[i] as number) * k * n * 4;
      const ci = pc + i * m * n * 4;
      for (let j0 = 0; j0 < n; j0 += NC) {
        const cols = Math.min(NC, n - j0);
        const bj = bi + (transB ? j0 * ldb : j0) * 4;
        kernels.gemm(transA, transB, m, cols, k, ai, lda, bj, ldb, ci + j0 * 4, n, false, work);
      }
    }
  } finally {
    backend.wasm._free(raw);
  }
  return out;
}

/** Marks the configs made here, so that a second `setup` does not wrap tfjs' kernel twice. */
const RECUR = Symbol('recur BatchMatMul');

/**
 * Puts Recur's product in front of tfjs' registered wasm `BatchMatMul` (once): the same
 * config, whose kernel falls back to tfjs' for the cases `recurProduct` leaves.
 */
export function installBatchMatMul(): void {
  const original = tf.getKernel(tf.BatchMatMul, 'wasm');
  if (original == null || (original as { [RECUR]?: true })[RECUR]) return;
  const fallback = original.kernelFunc;
  const kernelFunc = ((args: MatMulArgs) =>
    recurProduct(args) ?? fallback(args as unknown as Parameters<tf.KernelFunc>[0])) as unknown as tf.KernelFunc;
  tf.unregisterKernel(tf.BatchMatMul, 'wasm');
  tf.registerKernel({ ...original, kernelFunc, [RECUR]: true } as tf.KernelConfig);
}

/** Whether tfjs' registered wasm `BatchMatMul` is the one `installBatchMatMul` made. */
export function recurBatchMatMulInstalled(): boolean {
  const config = tf.getKernel(tf.BatchMatMul, 'wasm');
  return config != null && (config as { [RECUR]?: true })[RECUR] === true;
}
