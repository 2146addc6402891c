import './register-gradients.js';

export {
  ACTIVATION_NAMES,
  type Activation,
  type ActivationName,
  getActivation,
  resolveActivationName,
} from './activations.js';
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
  resolveInitializerName,
  truncatedNormal,
  uniform,
  varianceScaling,
  zeros,
} from './initializers.js';
export {
  adamUpdate,
  RecurAdamUpdate,
  type RecurAdamUpdateAttrs,
  RecurAdamUpdateGrad,
  type RecurAdamUpdateInputs,
  type RecurAdamUpdateOutputs,
} from './kernels/adam-update.js';
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
export {
  MIN_RNN_BLOCKS,
  MIN_RNN_CANDIDATES,
  MIN_RNN_GATES,
  type MinRnnCandidate,
  type MinRnnGates,
  minRnnScan,
  RecurMinRnnScan,
  type RecurMinRnnScanAttrs,
  RecurMinRnnScanGrad,
  type RecurMinRnnScanInputs,
  type RecurMinRnnScanOutputs,
} from './kernels/min-rnn-scan.js';
export { KERNEL_DESCRIPTORS } from './kernels/registry.js';
export {
  type GatedSequenceAttrs,
  type MaskedOutput,
  SEQUENCE_KERNEL_ACTIVATIONS,
  type SequenceKernelActivation,
  type SequenceKernelCommonAttrs,
} from './kernels/sequence-attrs.js';
export {
  RecurSlstmSequence,
  type RecurSlstmSequenceAttrs,
  RecurSlstmSequenceGrad,
  type RecurSlstmSequenceInputs,
  type RecurSlstmSequenceOutputs,
  type RecurSlstmSequenceWorkspace,
  slstmSequence,
} from './kernels/slstm-sequence.js';
export {
  RecurSoftmaxCrossEntropy,
  type RecurSoftmaxCrossEntropyAttrs,
  RecurSoftmaxCrossEntropyGrad,
  type RecurSoftmaxCrossEntropyInputs,
  type RecurSoftmaxCrossEntropyOutputs,
  softmaxCrossEntropy,
} from './kernels/softmax-cross-entropy.js';
export { RecurSumOfSquares, sumOfSquares } from './kernels/sum-of-squares.js';
export {
  RecurWkvSequence,
  type RecurWkvSequenceAttrs,
  RecurWkvSequenceGrad,
  type RecurWkvSequenceInputs,
  type RecurWkvSequenceOutputs,
  wkvSequence,
} from './kernels/wkv-sequence.js';
export { WKV_EMPTY_MAX, type WkvState, wkvStep } from './kernels/wkv-step.js';
export { Rng, type RngState } from './random.js';
export { DEFAULT_MASKED_OUTPUT, MASKED_OUTPUTS } from './scan/options.js';
export { stepSequence } from './scan/steps.js';
export { maskedOutputOption } from './scan/validate.js';
export { type ScanOptions, type ScanResult, scan } from './scan.js';
export type { StepModel, StepOutput } from './step-model.js';
export type { LossResult, StepContext, TrainableModel } from './trainable-model.js';
export { snakeToCamel } from './validation/names.js';
export { checkConfig, checkKnownKeys } from './validation/options.js';
export { assertRng, checkRng, isRng } from './validation/rng.js';
export { checkWeightSize, MAX_WEIGHT_VALUES } from './validation/size.js';
export { checkMask, checkParamShapes, checkTensor, isTensor, sameShape, shapeMismatch } from './validation/tensor.js';
export {
  assertBoolean,
  assertFiniteNumber,
  assertFraction,
  assertNonNegativeInteger,
  assertOneOf,
  assertPositiveInteger,
  assertShape,
  checkBoolean,
  checkFraction,
  checkPositiveInteger,
  checkPositiveNumber,
} from './validation/values.js';
