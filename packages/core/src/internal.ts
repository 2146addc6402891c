/**
 * `@recur/core/internal`: what a backend plug-in needs to implement Recur's sequence
 * kernels and test them against the reference. Not covered by semver guarantees of the
 * public API; kernel names and their input/attr types are public (`@recur/core`).
 */

export {
  hasRegisteredKernel,
  runSequenceKernel,
  type SequenceKernelAttrs,
  type SequenceKernelTensors,
} from './kernels/dispatch.js';
export { backpropActivation } from './kernels/reference/activation.js';
export {
  type ElmanSequenceGradTensors,
  type ElmanSequenceTensors,
  elmanSequenceGradReference,
  elmanSequenceReference,
} from './kernels/reference/elman.js';
export {
  type GruSequenceGradTensors,
  type GruSequenceTensors,
  gruSequenceGradReference,
  gruSequenceReference,
} from './kernels/reference/gru.js';
export {
  type LstmSequenceGradTensors,
  type LstmSequenceTensors,
  lstmSequenceGradReference,
  lstmSequenceReference,
} from './kernels/reference/lstm.js';
