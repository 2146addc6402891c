/**
 * The cpu kernels that split by batch rows over the thread pool: the recurrent ones,
 * whose arithmetic per row dwarfs the copies. What the workers bundle (scripts/
 * build-worker.mjs), so it imports nothing but the kernels' plain array code.
 */
import { elmanBackward, elmanForward } from '../kernels/elman.js';
import { gruBackward, gruForward } from '../kernels/gru.js';
import { lstmBackward, lstmForward } from '../kernels/lstm.js';
import { slstmBackward, slstmForward } from '../kernels/slstm.js';

export const ROW_KERNELS = {
  lstmForward,
  lstmBackward,
  gruForward,
  gruBackward,
  elmanForward,
  elmanBackward,
  slstmForward,
  slstmBackward,
};

export type RowKernelName = keyof typeof ROW_KERNELS;

/**
 * Where their arrays keep the batch: workspaces (inputs and outputs) are `[T, B, …]`;
 * weights are read whole and their gradients summed over rows; the rest is `[B, …]`.
 */
export const ROW_LAYOUT = {
  timeMajor: new Set(['gates', 'hs', 'cs', 'pre', 'ns', 'ms']),
  whole: new Set(['kernel', 'recurrentKernel', 'bias', 'dKernel', 'dRecurrentKernel', 'dBias']),
};
