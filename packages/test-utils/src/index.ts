export { backendMatrix, describeBackends } from './backends.js';
export { checkLeaks, expectNoLeak } from './leaks.js';
export {
  type MatrixMemoryCarry,
  type MatrixMemoryCell,
  type MatrixMemoryParams,
  matrixMemoryCell,
} from './matrix-memory-cell.js';
export {
  expectFusedMatchesReference,
  registerKernels,
  type SequenceKernelCase,
  type SequenceKernelKind,
  sequenceKernelCases,
} from './sequence-kernels.js';
export { closeness, expectClose, type Tolerance } from './tolerance.js';
