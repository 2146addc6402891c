/**
 * Every whole-sequence kernel core defines. Dispatch, gradient registration, the parity
 * harness and each backend's registration iterate this list; a new kernel joins it here.
 */
import { ctcLoss } from './ctc-loss.js';
import type { AnyKernelDescriptor } from './descriptor.js';
import { elmanSequence } from './elman-sequence.js';
import { gruSequence } from './gru-sequence.js';
import { linearScan } from './linear-scan.js';
import { logLinearScan } from './log-linear-scan.js';
import { lstmSequence } from './lstm-sequence.js';

export const KERNEL_DESCRIPTORS: readonly AnyKernelDescriptor[] = [
  lstmSequence,
  gruSequence,
  elmanSequence,
  linearScan,
  logLinearScan,
  ctcLoss,
];
