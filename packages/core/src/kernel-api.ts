/**
 * `@recur/core/kernel-api`: what a backend plug-in needs to implement Recur's kernel
 * descriptors (`fusedKernel`, one per descriptor, or `referenceKernel`) and what the
 * parity harness needs to test them against the reference. Not covered by the semver
 * guarantees of the public API; the descriptors themselves are public (`@recur/core`).
 */
// Registers the descriptors' gradients, for a backend that imports only this entry.
import './register-gradients.js';

export { backpropActivation } from './kernels/activation-backprop.js';
export { type AdamConstants, adamConstants } from './kernels/adam-update.js';
export {
  type BackendKernel,
  type BackwardInfos,
  type BackwardResult,
  type ForwardInfos,
  type ForwardResult,
  type FusedFunctions,
  fusedKernel,
  kernelConfigs,
  referenceKernel,
} from './kernels/backend-kernel.js';
export { BackendPools, type StoppablePool } from './kernels/backend-pools.js';
export { copyRows, type RowSlice, rowShares, sumInOrder } from './kernels/batch-rows.js';
export type {
  CompleteInputs,
  DefinedTensorMap,
  ExampleSource,
  GradientInputs,
  InputGradients,
  KernelExample,
  KernelSignature,
  OutputGradients,
  SignatureOf,
  TensorMap,
} from './kernels/descriptor.js';
export { defineKernel } from './kernels/descriptor.js';
export { expectShape, type ScanDims, scanDims } from './kernels/input-shapes.js';
export { type MatMulShapes, matMulShapes } from './kernels/mat-mul-shapes.js';
export { type PoolWorker, startWorker } from './kernels/start-worker.js';
export { type SumOfSquaresFunctions, sumOfSquaresKernel } from './kernels/sum-of-squares.js';
export { checkThreads, inNode, MAX_THREADS, planThreads, type ThreadPlan } from './kernels/thread-plan.js';
