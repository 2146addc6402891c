/**
 * The cpu kernels that split by batch rows over the thread pool, as plain array code:
 * what the workers bundle (scripts/build-worker.mjs), so nothing here imports a package.
 */
import { ctcLossBackward, ctcLossForward } from '../kernels/ctc-rows.js';
import { elmanBackward, elmanForward } from '../kernels/elman.js';
import { gruBackward, gruForward } from '../kernels/gru.js';
import { linearScanBackward, linearScanForward } from '../kernels/linear-scan-arrays.js';
import { logLinearScanBackward, logLinearScanForward } from '../kernels/log-linear-scan-arrays.js';
import { lstmBackward, lstmForward } from '../kernels/lstm.js';
import { matMulRows } from '../kernels/mat-mul-rows.js';
import { minRnnScanBackward, minRnnScanForward } from '../kernels/min-rnn-scan-arrays.js';
import { slstmBackward, slstmForward } from '../kernels/slstm.js';
import { wkvBackward, wkvForward } from '../kernels/wkv.js';
import { type RowJob, viewsOf } from './row-job.js';

export const ROW_KERNELS = {
  lstmForward,
  lstmBackward,
  gruForward,
  gruBackward,
  elmanForward,
  elmanBackward,
  slstmForward,
  slstmBackward,
  linearScanForward,
  linearScanBackward,
  logLinearScanForward,
  logLinearScanBackward,
  minRnnScanForward,
  minRnnScanBackward,
  wkvForward,
  wkvBackward,
  ctcLossForward,
  ctcLossBackward,
};

export type RowKernelName = keyof typeof ROW_KERNELS;

/** What a pool job may run: the row kernels, and blocks of rows of a matrix product (batch-mat-mul.ts). */
export const JOB_KERNELS = { ...ROW_KERNELS, matMulRows };

/** Runs `job` on its arrays in `buffer` (the pool's memory), on whichever thread calls it. */
export function runJob(buffer: ArrayBufferLike, job: RowJob): Record<string, Float32Array> {
  const kernel = JOB_KERNELS[job.name] as (v: unknown, d: unknown, a: unknown) => Record<string, Float32Array>;
  return kernel(viewsOf(buffer, job), job.dims, job.attrs);
}

/** Where a kernel's arrays keep the batch: `[T, B, …]` or whole; every other array is `[B, …]`. */
export interface RowLayout {
  /** Arrays `[T, B, …]`. */
  readonly timeMajor: ReadonlySet<string>;
  /** Inputs every row reads whole (weights) and outputs summed over rows (their gradients). */
  readonly whole: ReadonlySet<string>;
}

/** The recurrent kernels: workspaces `[T, B, …]`, weights and their gradients whole. */
const RECURRENT: RowLayout = {
  timeMajor: new Set(['gates', 'hs', 'cs', 'pre', 'ns', 'ms']),
  whole: new Set(['kernel', 'recurrentKernel', 'bias', 'dKernel', 'dRecurrentKernel', 'dBias']),
};

/** The scans and CTC: every array batch-major. */
const SCAN: RowLayout = { timeMajor: new Set(), whole: new Set() };

/** minRnnScan: batch-major, but for the bias, which every row reads, and its gradient, summed over rows. */
const MIN_RNN: RowLayout = { timeMajor: new Set(), whole: new Set(['bias', 'dBias']) };

/** WKV: batch-major, but for the decay and bonus vectors and their gradients. */
const WKV: RowLayout = { timeMajor: new Set(), whole: new Set(['w', 'u', 'dw', 'du']) };

export function rowLayout(name: RowKernelName): RowLayout {
  if (name.startsWith('wkv')) return WKV;
  if (name.startsWith('minRnn')) return MIN_RNN;
  return name.includes('inearScan') || name.startsWith('ctc') ? SCAN : RECURRENT;
}
