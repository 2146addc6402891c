/** Every fused sequence kernel the wasm plug-in registers, from one list (forward, then backward, per cell). */
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { elmanSequenceConfig, elmanSequenceGradConfig } from './elman.js';
import { gruSequenceConfig, gruSequenceGradConfig } from './gru.js';
import { lstmSequenceConfig, lstmSequenceGradConfig } from './lstm.js';

export const WASM_KERNEL_CONFIGS: readonly KernelConfig[] = [
  lstmSequenceConfig,
  lstmSequenceGradConfig,
  gruSequenceConfig,
  gruSequenceGradConfig,
  elmanSequenceConfig,
  elmanSequenceGradConfig,
];
