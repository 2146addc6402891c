/**
 * Every kernel core defines: the whole-sequence kernels, Adam's update and the softmax
 * cross-entropy. Dispatch,
 * gradient registration, the parity harness and each backend's registration iterate
 * this list; a new kernel joins it here.
 */
import { adamUpdate } from './adam-update.js';
import { ctcLoss } from './ctc-loss.js';
import type { AnyKernelDescriptor } from './descriptor.js';
import { elmanSequence } from './elman-sequence.js';
import { gruSequence } from './gru-sequence.js';
import { linearScan } from './linear-scan.js';
import { logLinearScan } from './log-linear-scan.js';
import { lstmSequence } from './lstm-sequence.js';
import { minRnnScan } from './min-rnn-scan.js';
import { slstmSequence } from './slstm-sequence.js';
import { softmaxCrossEntropy } from './softmax-cross-entropy.js';
import { wkvSequence } from './wkv-sequence.js';

/** Every Recur kernel's descriptor (names, inputs, outputs, validation, reference math): what backends implement and the parity tests iterate over. */
export const KERNEL_DESCRIPTORS: readonly AnyKernelDescriptor[] = [
  lstmSequence,
  gruSequence,
  elmanSequence,
  linearScan,
  logLinearScan,
  minRnnScan,
  slstmSequence,
  wkvSequence,
  ctcLoss,
  adamUpdate,
  softmaxCrossEntropy,
];
