import type * as tf from '@tensorflow/tfjs-core';

/**
 * tfjs-backend-webgpu 4.22's `CumProgram` (cumsum, cumprod) writes the length of the
 * scanned axis into its WGSL when `reverse` is set (`end + pow2 < ${length}`), yet its
 * shaderKey (`cum_${op}_${exclusive}_${reverse}`) leaves the length out, and tfjs caches
 * compiled pipelines by that key. After one reverse cumsum, a reverse cumsum along an
 * axis of another length reuses the first one's pipeline and stops at the wrong index.
 * Core's reference sequence kernels take a reverse cumsum of the mask (`maskedOutput:
 * 'previous'` with `reverse`), so their outputs depended on which sequence length ran
 * first. The fix puts the length in the key, where every program passes.
 */

interface Program {
  readonly shaderKey?: unknown;
  readonly reverse?: unknown;
  readonly outputShape?: unknown;
}

type Run = (program: Program, ...rest: unknown[]) => tf.TensorInfo;

function isTfjsCum(program: Program): program is Program & { shaderKey: string; outputShape: number[] } {
  return (
    typeof program.shaderKey === 'string' &&
    program.shaderKey.startsWith('cum_') &&
    typeof program.reverse === 'boolean' &&
    Array.isArray(program.outputShape)
  );
}

/** Wraps `backend.runWebGPUProgram` so tfjs' cumulative ops key their pipelines by length. Idempotent. */
export function fixCumKey(backend: tf.KernelBackend): boolean {
  const target = backend as unknown as { runWebGPUProgram?: Run; recurCumKeyFixed?: boolean };
  const run = target.runWebGPUProgram;
  if (typeof run !== 'function') return false;
  if (target.recurCumKeyFixed === true) return true;
  target.runWebGPUProgram = (program: Program, ...rest: unknown[]) => {
    if (!isTfjsCum(program)) return run.call(backend, program, ...rest);
    const keyed = Object.create(program) as Program;
    const length = program.outputShape[program.outputShape.length - 1];
    Object.defineProperty(keyed, 'shaderKey', { value: `${program.shaderKey}_${length}`, writable: true });
    return run.call(backend, keyed, ...rest);
  };
  target.recurCumKeyFixed = true;
  return true;
}
