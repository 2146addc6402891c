import { wkvSequence } from '@recur/core';
import { referenceKernel } from '@recur/core/kernel-api';

export const wkvSequenceWasm = referenceKernel(wkvSequence);
