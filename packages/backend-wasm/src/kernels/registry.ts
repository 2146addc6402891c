/**
 * Every kernel descriptor of core, as the wasm backend implements it: one entry each, in
 * `KERNEL_DESCRIPTORS`' order (a test checks the list covers it, none twice).
 */
import type { BackendKernel } from '@recur/core/kernel-api';
import { adamUpdateWasm } from './adam-update.js';
import { ctcLossWasm } from './ctc-loss.js';
import { elmanSequenceWasm } from './elman-sequence.js';
import { gruSequenceWasm } from './gru-sequence.js';
import { linearScanWasm } from './linear-scan.js';
import { logLinearScanWasm } from './log-linear-scan.js';
import { lstmSequenceWasm } from './lstm-sequence.js';
import { minRnnScanWasm } from './min-rnn-scan.js';
import { slstmSequenceWasm } from './slstm-sequence.js';
import { softmaxCrossEntropyWasm } from './softmax-cross-entropy.js';
import { wkvSequenceWasm } from './wkv-sequence.js';

/** The fused WASM implementations of Recur's kernels (forward and backward), which this package registers with tfjs. */
export const WASM_KERNELS: readonly BackendKernel[] = [
  lstmSequenceWasm,
  gruSequenceWasm,
  elmanSequenceWasm,
  linearScanWasm,
  logLinearScanWasm,
  minRnnScanWasm,
  slstmSequenceWasm,
  wkvSequenceWasm,
  ctcLossWasm,
  adamUpdateWasm,
  softmaxCrossEntropyWasm,
];
