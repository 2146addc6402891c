import type * as tf from '@tensorflow/tfjs-core';

/**
 * tfjs-backend-webgpu 4.22's `TransposeProgram` passes the raw input element to
 * `setOutputAtIndex`, whose value parameter is `f32`. For int32 and bool tensors (stored
 * as `i32`) the WGSL does not compile and the output is never written: transposing an
 * int32 or bool tensor of rank ≥ 3 returns garbage, and so does every kernel that
 * transposes internally (reductions over a leading axis: `sum`, `max`, `any`, ... of a
 * mask). tfjs-layers transposes its bool masks this way, so a masked tfjs-layers RNN
 * computes wrong results on webgpu.
 *
 * The kernels build the program inside tfjs, so the fix sits where every program passes:
 * `runWebGPUProgram` gets the same program with the element converted to `f32` first,
 * as every other tfjs webgpu program does (exact for integers below 2^24; a no-op for
 * float32).
 */

interface Program {
  readonly shaderKey?: unknown;
  readonly newDim?: unknown;
  getUserCode(): string;
}

type Run = (program: Program, ...rest: unknown[]) => tf.TensorInfo;

const RAW_READ = /setOutputAtIndex\(flatIndex, (A\[[\s\S]*?uniforms\.aShape\)\])\);/;

function isTfjsTranspose(program: Program): boolean {
  return (
    typeof program.shaderKey === 'string' &&
    program.shaderKey.startsWith('transpose_') &&
    Array.isArray(program.newDim) &&
    typeof program.getUserCode === 'function'
  );
}

/** Wraps `backend.runWebGPUProgram` so tfjs' transposes compile for every dtype. Idempotent. */
export function fixTranspose(backend: tf.KernelBackend): boolean {
  const target = backend as unknown as { runWebGPUProgram?: Run; recurTransposeFixed?: boolean };
  const run = target.runWebGPUProgram;
  if (typeof run !== 'function') return false;
  if (target.recurTransposeFixed === true) return true;
  target.runWebGPUProgram = (program: Program, ...rest: unknown[]) => {
    if (isTfjsTranspose(program)) {
      const code = program.getUserCode();
      if (RAW_READ.test(code)) {
        const fixed = code.replace(RAW_READ, 'setOutputAtIndex(flatIndex, f32($1));');
        const patched = Object.create(program) as Program;
        Object.defineProperty(patched, 'getUserCode', { value: () => fixed });
        return run.call(backend, patched, ...rest);
      }
    }
    return run.call(backend, program, ...rest);
  };
  target.recurTransposeFixed = true;
  return true;
}
