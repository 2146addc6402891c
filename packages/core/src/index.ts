import './register-gradients.js';

export { ACTIVATION_NAMES, type Activation, type ActivationName, getActivation } from './activations.js';
export { activeBackend, type BackendCapabilities, type BackendPlugin, useBackend } from './backend.js';
export {
  type CarryShapes,
  carryShapes,
  checkCarry,
  checkLiveTensor,
  describeCarry,
  gatherRows,
  selectRows,
} from './carry.js';
export type { Carry, Cell, Params, SequenceOptions, SequenceResult } from './cell.js';
export { badArgument, describeValue, RECUR_ERROR_CODES, RecurError, type RecurErrorCode } from './errors.js';
export {
  computeFans,
  constant,
  type Distribution,
  type FanMode,
  getInitializer,
  glorotNormal,
  glorotUniform,
  heNormal,
  heUniform,
  INITIALIZER_NAMES,
  type Initializer,
  type InitializerName,
  identity,
  lecunNormal,
  lecunUniform,
  normal,
  ones,
  orthogonal,
  truncatedNormal,
  uniform,
  varianceScaling,
  zeros,
} from './initializers.js';
export {
  ctcLoss,
  minimumCtcSteps,
  RecurCtcLoss,
  type RecurCtcLossAttrs,
  RecurCtcLossGrad,
  type RecurCtcLossInputs,
  type RecurCtcLossOutputs,
} from './kernels/ctc-loss.js';
export type { AnyKernelDescriptor, KernelDescriptor } from './kernels/descriptor.js';
export { hasFusedKernel, runKernel } from './kernels/dispatch.js';
export {
  elmanSequence,
  RecurElmanSequence,
  type RecurElmanSequenceAttrs,
  RecurElmanSequenceGrad,
  type RecurElmanSequenceInputs,
  type RecurElmanSequenceOutputs,
  type RecurElmanSequenceWorkspace,
} from './kernels/elman-sequence.js';
export {
  gruSequence,
  RecurGruSequence,
  type RecurGruSequenceAttrs,
  RecurGruSequenceGrad,
  type RecurGruSequenceInputs,
  type RecurGruSequenceOutputs,
  type RecurGruSequenceWorkspace,
} from './kernels/gru-sequence.js';
export {
  linearScan,
  RecurLinearScan,
  type RecurLinearScanAttrs,
  RecurLinearScanGrad,
  type RecurLinearScanInputs,
  type RecurLinearScanOutputs,
} from './kernels/linear-scan.js';
export {
  logLinearScan,
  RecurLogLinearScan,
  type RecurLogLinearScanAttrs,
  RecurLogLinearScanGrad,
  type RecurLogLinearScanInputs,
  type RecurLogLinearScanOutputs,
} from './kernels/log-linear-scan.js';
export {
  lstmSequence,
  RecurLstmSequence,
  type RecurLstmSequenceAttrs,
  RecurLstmSequenceGrad,
  type RecurLstmSequenceInputs,
  type RecurLstmSequenceOutputs,
  type RecurLstmSequenceWorkspace,
} from './kernels/lstm-sequence.js';
export { KERNEL_DESCRIPTORS } from './kernels/registry.js';
export {
  type GatedSequenceAttrs,
  type MaskedOutput,
  SEQUENCE_KERNEL_ACTIVATIONS,
  type SequenceKernelActivation,
  type SequenceKernelCommonAttrs,
} from './kernels/sequence-attrs.js';
export { Rng, type RngState } from './random.js';
export { DEFAULT_MASKED_OUTPUT, MASKED_OUTPUTS } from './scan/options.js';
export { stepSequence } from './scan/steps.js';
export { maskedOutputOption } from './scan/validate.js';
export { type ScanOptions, type ScanResult, scan } from './scan.js';
export { assertFiniteNumber, assertOneOf, assertPositiveInteger, assertShape } from './validate.js';
