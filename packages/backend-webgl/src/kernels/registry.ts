/**
 * Core's kernel descriptors on the webgl backend: none is fused here yet, so core's
 * reference (plain tfjs ops) runs each. Listed one by one, so a test can check the list
 * covers `KERNEL_DESCRIPTORS` and a fused kernel replaces its line when it comes.
 */
import {
  adamUpdate,
  ctcLoss,
  elmanSequence,
  gruSequence,
  linearScan,
  logLinearScan,
  lstmSequence,
  minRnnScan,
  slstmSequence,
  softmaxCrossEntropy,
  wkvSequence,
} from '@recur/core';
import { type BackendKernel, referenceKernel } from '@recur/core/kernel-api';

/** Recur's kernels as this package registers them on the webgl backend: core's reference implementation of each, until a fused one replaces it. */
export const WEBGL_KERNELS: readonly BackendKernel[] = [
  referenceKernel(lstmSequence),
  referenceKernel(gruSequence),
  referenceKernel(elmanSequence),
  referenceKernel(linearScan),
  referenceKernel(logLinearScan),
  referenceKernel(minRnnScan),
  referenceKernel(slstmSequence),
  referenceKernel(wkvSequence),
  referenceKernel(ctcLoss),
  referenceKernel(adamUpdate),
  referenceKernel(softmaxCrossEntropy),
];
