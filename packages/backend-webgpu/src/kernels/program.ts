/**
 * How Recur's WGSL kernels run on tfjs-backend-webgpu: a `WebGPUProgram` (tfjs 4.22's
 * interface, `webgpu_program.ts`) whose single output is a flat float32 *record* that
 * every dispatch of a kernel writes into, regions of which become the kernel's outputs.
 *
 * Why one record: a tfjs program binds one read-write buffer (`result`) and its inputs
 * read-only, yet a fused step writes several tensors (gates, states, outputs) and reads
 * the previous step's state. Passing the same record as the `output` of every step's
 * `runWebGPUProgram` keeps the whole sequence in one buffer; WebGPU orders the dispatches
 * and makes each one's storage writes visible to the next.
 */
import { RecurError } from '@recur/core';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import * as tf from '@tensorflow/tfjs-core';

/** A uniform value as tfjs passes it (`programDefinedUniform`). */
export interface Uniform {
  readonly type: 'int32' | 'float32';
  readonly data: number[];
}

/** Lanes per workgroup in every Recur program: a safe size on every adapter (the WebGPU minimum is 256). */
export const WORKGROUP = 64;

export interface RecurProgramSpec {
  /** Unique per distinct WGSL source (tfjs caches pipelines by it, shapes aside). */
  readonly key: string;
  /** Input names, bound in this order as `array<f32>` (`array<i32>` for int32). */
  readonly inputs: readonly string[];
  /** The user uniforms, all i32, in order (`['batch', 'time']`). */
  readonly uniforms: readonly string[];
  /** Workgroups to dispatch (tfjs spreads more than the per-dimension limit over y and z). */
  readonly workgroups: number;
  /** The WGSL body: helper functions and `fn main(index : i32)`. */
  readonly code: string;
}

function program(spec: RecurProgramSpec, size: number): WebGPUProgram {
  return {
    shaderKey: `recur_${spec.key}`,
    variableNames: [...spec.inputs],
    uniforms: spec.uniforms.map((u) => `${u} : i32,`).join(' '),
    outputShape: [size],
    dispatchLayout: { x: [0] },
    dispatch: [spec.workgroups, 1, 1],
    workgroupSize: [WORKGROUP, 1, 1],
    getUserCode: () => spec.code,
  };
}

/**
 * Runs `spec` once per entry of `steps` (each the values of `spec.uniforms`), every
 * dispatch writing into one new record of `size` floats, which the caller owns. Throws
 * `NOT_SUPPORTED` when the record would not fit one storage binding of this device.
 */
export function runSteps(
  backend: WebGPUBackend,
  spec: RecurProgramSpec,
  inputs: readonly tf.TensorInfo[],
  size: number,
  steps: readonly (readonly number[])[],
): tf.TensorInfo {
  const limit = backend.device.limits.maxStorageBufferBindingSize;
  if (4 * size > limit) {
    throw new RecurError(
      'NOT_SUPPORTED',
      `webgpu kernel ${spec.key}: its workspace of ${4 * size} bytes exceeds this device's ` +
        `maxStorageBufferBindingSize (${limit} bytes); split the batch or the sequence`,
    );
  }
  const floats = inputs.map((x) => asFloatBuffer(backend, x));
  const record = dispatch(backend, spec, floats, size, steps);
  release(backend, ...floats.filter((x, i) => x !== inputs[i]));
  return record;
}

function dispatch(
  backend: WebGPUBackend,
  spec: RecurProgramSpec,
  inputs: tf.TensorInfo[],
  size: number,
  steps: readonly (readonly number[])[],
): tf.TensorInfo {
  const record = backend.makeTensorInfo([size], 'float32');
  for (const values of steps) {
    const uniforms: Uniform[] = values.map((v) => ({ type: 'int32', data: [v] }));
    backend.runWebGPUProgram(program(spec, size), inputs, 'float32', uniforms, record);
  }
  return record;
}

const TO_FLOAT: RecurProgramSpec = {
  key: 'to_float',
  inputs: ['x'],
  uniforms: ['count'],
  workgroups: 0,
  code: 'fn main(index : i32) { if (index < uniforms.count) { result[index] = f32(x[index]); } }',
};

/**
 * `x` in an f32 buffer. tfjs-webgpu casts bool and int32 to float32 as a view on the
 * i32 buffer (a mask from `tf.cast(tf.notEqual(m, 0), 'float32')`, one-hot inputs), and
 * binds a buffer by its stored type, so the programs here would read i32 where they
 * declare f32 and fail to compile. Such views are copied once per call.
 */
function asFloatBuffer(backend: WebGPUBackend, x: tf.TensorInfo): tf.TensorInfo {
  if (backend.tensorMap.get(x.dataId)?.dtype === 'float32') return x;
  const count = x.shape.reduce((p, n) => p * n, 1);
  const copy = { ...TO_FLOAT, workgroups: Math.ceil(count / WORKGROUP) };
  return reshaped(dispatch(backend, copy, [x], count, [[count]]), x.shape);
}

/** The workgroup's flat index, however tfjs spread the workgroups over x, y and z. */
export const WORKGROUP_INDEX =
  'i32(workgroupId.x + numWorkgroups.x * (workgroupId.y + numWorkgroups.y * workgroupId.z))';

/**
 * `shape` floats of `record` from `offset`, as a new tensor the caller owns (one copy
 * dispatch: tfjs 4.22's webgpu Slice has no view).
 */
export function region(
  backend: WebGPUBackend,
  record: tf.TensorInfo,
  offset: number,
  shape: readonly number[],
): tf.TensorInfo {
  const size = shape.reduce((p, n) => p * n, 1);
  const sliced = runTfjs(backend, tf.Slice, { x: record }, { begin: [offset], size: [size] });
  return { dataId: sliced.dataId, shape: [...shape], dtype: 'float32' };
}

/** Runs tfjs' own webgpu kernel `name` (a product, a slice, a sum) on tensors the caller holds. */
export function runTfjs(
  backend: WebGPUBackend,
  name: string,
  inputs: tf.NamedTensorInfoMap | tf.TensorInfo[],
  attrs: object,
): tf.TensorInfo {
  const kernel = tf.getKernel(name, 'webgpu');
  if (kernel === undefined) throw new RecurError('BACKEND_UNAVAILABLE', `tfjs-backend-webgpu has no ${name} kernel`);
  return kernel.kernelFunc({
    inputs: inputs as tf.NamedTensorInfoMap,
    backend,
    attrs: attrs as tf.NamedAttrMap,
  }) as tf.TensorInfo;
}

/** `a·b` (either transposed) as one tfjs product, `[rows, cols]`. */
export function matMul(
  backend: WebGPUBackend,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
): tf.TensorInfo {
  return runTfjs(backend, tf.BatchMatMul, { a, b }, { transposeA, transposeB });
}

/** Column sums of a matrix, `[cols]`. */
export function columnSums(backend: WebGPUBackend, x: tf.TensorInfo): tf.TensorInfo {
  return runTfjs(backend, tf.Sum, { x }, { axis: [0], keepDims: false });
}

/** `x` with another shape of the same size, sharing its data (a tfjs reshape is a view). */
export function reshaped(x: tf.TensorInfo, shape: readonly number[]): tf.TensorInfo {
  return { dataId: x.dataId, shape: [...shape], dtype: x.dtype };
}

/** `infos` flattened end to end into one new tensor the caller owns (one concat dispatch). */
export function packed(backend: WebGPUBackend, infos: readonly tf.TensorInfo[]): tf.TensorInfo {
  const flat = infos.map((x) => reshaped(x, [x.shape.reduce((p, n) => p * n, 1)]));
  return runTfjs(backend, tf.Concat, flat, { axis: 0 });
}

/** Releases intermediates made inside a kernel. */
export function release(backend: WebGPUBackend, ...infos: tf.TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}
