export { backendMatrix, describeBackends } from './backends.js';
export { checkLeaks, expectNoLeak } from './leaks.js';
export {
  expectFusedMatchesReference,
  registerKernels,
  type SequenceKernelCase,
  type SequenceKernelKind,
  sequenceKernelCases,
} from './sequence-kernels.js';
export { closeness, expectClose, type Tolerance } from './tolerance.js';
