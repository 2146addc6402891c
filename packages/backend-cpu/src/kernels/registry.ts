/**
 * Every kernel descriptor of core, as the cpu backend implements it: one entry each, in
 * `KERNEL_DESCRIPTORS`' order (a test checks the list covers it, none twice).
 */
import type { BackendKernel } from '@recur/core/kernel-api';
import { adamUpdateCpu } from './adam-update.js';
import { ctcLossCpu } from './ctc-loss.js';
import { elmanSequenceCpu } from './elman-sequence.js';
import { gruSequenceCpu } from './gru-sequence.js';
import { linearScanCpu } from './linear-scan.js';
import { logLinearScanCpu } from './log-linear-scan.js';
import { lstmSequenceCpu } from './lstm-sequence.js';
import { minRnnScanCpu } from './min-rnn-scan.js';
import { slstmSequenceCpu } from './slstm-sequence.js';
import { softmaxCrossEntropyCpu } from './softmax-cross-entropy.js';
import { wkvSequenceCpu } from './wkv-sequence.js';

/** The fused CPU (plain JavaScript) implementations of Recur's kernels (forward and backward), which this package registers with tfjs. */
export const CPU_KERNELS: readonly BackendKernel[] = [
  lstmSequenceCpu,
  gruSequenceCpu,
  elmanSequenceCpu,
  linearScanCpu,
  logLinearScanCpu,
  minRnnScanCpu,
  slstmSequenceCpu,
  wkvSequenceCpu,
  ctcLossCpu,
  adamUpdateCpu,
  softmaxCrossEntropyCpu,
];
