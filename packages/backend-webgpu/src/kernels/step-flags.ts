/**
 * Per-step flags of a sequence kernel, `[2, B, T]` of 0/1, one dispatch per call (one lane
 * per sequence), so the step programs read one number instead of rescanning the mask:
 * - `real`: the mask (1 = real step, 0 = padding), as 0/1;
 * - `emitted`: which states become outputs (core's `outputMask`): with `maskedOutput:
 *   'zeros'` the real steps; with `'previous'` every step at or after the first real one
 *   in processing order (a padded step keeps the state, so the state there is the last
 *   real output).
 * One buffer for both because a WebGPU stage binds 8 storage buffers by default.
 */
import type { MaskedOutput } from '@recur/core';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { runSteps, WORKGROUP } from './program.js';

export function stepFlags(
  backend: WebGPUBackend,
  mask: TensorInfo,
  maskedOutput: MaskedOutput,
  reverse: boolean,
): TensorInfo {
  const [batch, time] = mask.shape as [number, number];
  const emitted = maskedOutput === 'zeros' ? 'real' : 'seen || real';
  const spec = {
    key: `step_flags_${maskedOutput}_${reverse}`,
    inputs: ['mask'],
    uniforms: ['batch', 'time'],
    workgroups: Math.ceil(batch / WORKGROUP),
    code: `
      fn main(index : i32) {
        let B = uniforms.batch; let T = uniforms.time;
        if (index >= B) { return; }
        var seen = false;
        for (var s = 0; s < T; s++) {
          let t = ${reverse ? 'T - 1 - s' : 's'};
          let real = mask[index * T + t] != 0.0;
          seen = ${emitted};
          result[index * T + t] = select(0.0, 1.0, real);
          result[B * T + index * T + t] = select(0.0, 1.0, seen);
        }
      }`,
  };
  return runSteps(backend, spec, [mask], 2 * batch * time, [[batch, time]]);
}
