/**
 * Core's kernel descriptors on the webgpu backend, one entry each in
 * `KERNEL_DESCRIPTORS`' order (a test checks the list covers it, none twice): fused WGSL
 * kernels for LSTM, GRU and the linear scan; core's reference (plain tfjs ops) for the
 * others until a fused one replaces its line.
 */
import {
  adamUpdate,
  ctcLoss,
  elmanSequence,
  logLinearScan,
  minRnnScan,
  slstmSequence,
  softmaxCrossEntropy,
  wkvSequence,
} from '@recur/core';
import { type BackendKernel, referenceKernel } from '@recur/core/kernel-api';
import { gruSequenceWebgpu } from './gru-sequence.js';
import { linearScanWebgpu } from './linear-scan.js';
import { lstmSequenceWebgpu } from './lstm-sequence.js';

/** Recur's kernels as this package registers them on the webgpu backend: WGSL where fused, else core's reference. */
export const WEBGPU_KERNELS: readonly BackendKernel[] = [
  lstmSequenceWebgpu,
  gruSequenceWebgpu,
  referenceKernel(elmanSequence),
  linearScanWebgpu,
  referenceKernel(logLinearScan),
  referenceKernel(minRnnScan),
  referenceKernel(slstmSequence),
  referenceKernel(wkvSequence),
  referenceKernel(ctcLoss),
  referenceKernel(adamUpdate),
  referenceKernel(softmaxCrossEntropy),
];
