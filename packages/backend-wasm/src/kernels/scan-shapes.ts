/**
 * The linear-scan kernels' sizes on wasm: core's shape checks, plus the module's own
 * limit (its offsets are i32).
 */
import { badArgument } from '@recur/core';
import { scanDims as checkedScanDims, type ScanDims } from '@recur/core/kernel-api';
import type { TensorInfo } from '@tensorflow/tfjs-core';

/** Dims from the first of `steps`, after core's checks, refused past what one call of the module can address. */
export function scanDims(
  kernel: string,
  t: Readonly<Record<string, TensorInfo>>,
  steps: readonly string[],
  states: readonly string[],
): ScanDims {
  const d = checkedScanDims(kernel, t, steps, states);
  // Offsets are i32 in the module: six step-sized tensors at most in one call.
  if (6 * d.batch * d.time * d.features * 4 > 2 ** 31 - 2 ** 26) {
    throw badArgument('NOT_SUPPORTED', `${kernel} sizes`, 'under 2 GiB of tensors for one call', t[steps[0] as string]);
  }
  return d;
}
