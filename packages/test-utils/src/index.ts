export { backendMatrix, describeBackends } from './backends.js';
export { type ExamplePins, exampleSource } from './example-source.js';
export { castMaskOutputs, type KernelCase, kernelCaseValues } from './kernel-case-values.js';
export { checkLeaks, expectNoLeak } from './leaks.js';
export {
  describeMatMul,
  expectMatMul,
  type MatMulDims,
  type MatMulSuite,
  matMulCase,
  matMulReference,
} from './mat-mul.js';
export {
  type MatrixMemoryCarry,
  type MatrixMemoryCell,
  type MatrixMemoryParams,
  matrixMemoryCell,
} from './matrix-memory-cell.js';
export {
  expectBackwardSkipsX,
  expectCoversEveryDescriptor,
  expectFusedMatchesReference,
  expectSkippingChangesNothing,
  kernelCases,
  registerKernels,
} from './sequence-kernels.js';
export { describeThreadSplit, type SplitPool, type ThreadSplitSuite } from './thread-split.js';
export { closeness, expectClose, type Tolerance } from './tolerance.js';
