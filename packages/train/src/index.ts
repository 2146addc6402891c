export { AdamWOptimizer } from './adamw.js';
export { BUDGET_CLOCKS, type BudgetClock, startBudgetClock } from './budget-clock.js';
export type { BatchEvent, Callbacks, EpochEvent } from './callbacks.js';
export {
  CHECKPOINT_FORMAT_VERSION,
  type Checkpoint,
  decodeCheckpoint,
  encodeCheckpoint,
  type StoredTensor,
} from './checkpoint/format.js';
export { type ClipConfig, clipGradients, type Gradients, globalNorm } from './clipping.js';
export { CTC_REDUCTIONS, type CtcLossOptions, type CtcLossResult, type CtcReduction, ctcLoss } from './ctc-loss.js';
export { EarlyStopping, type EarlyStoppingConfig } from './early-stopping.js';
export { type EvaluateOptions, evaluate } from './evaluate.js';
export { type FitData, type FitOptions, type FitPosition, type FitResult, fit, type StopReason } from './fit.js';
export { FusedAdamOptimizer } from './fused-adam.js';
export type { BatchingOptions, InMemoryData, NumberArray } from './in-memory-data.js';
export { type LossSummary, RECENT_LOSSES_KEPT } from './loss-history.js';
export {
  binaryCrossEntropy,
  huber,
  type LossOptions,
  meanAbsoluteError,
  meanSquaredError,
  softmaxCrossEntropy,
} from './losses.js';
export {
  accuracy,
  type BinaryScores,
  bitsPerCharacter,
  perplexity,
  precisionRecallF1,
} from './metrics/classification.js';
export { type ClosestReferenceRates, closestReferenceErrorRates } from './metrics/closest-reference.js';
export { mae, mape, mase, rmse } from './metrics/regression.js';
export { rocAuc } from './metrics/roc-auc.js';
export {
  editDistance,
  phonemeErrorRate,
  sequenceErrorRate,
  tokenErrorRate,
  wordErrorRate,
} from './metrics/sequence.js';
export type { MetricOptions } from './metrics/tensor-metric.js';
export type { LossResult, SequenceBatch, StepContext, TrainableModel } from './model.js';
export {
  getLearningRate,
  makeOptimizer,
  OPTIMIZER_KINDS,
  type OptimizerConfig,
  setLearningRate,
} from './optimizers.js';
export { type Schedule, type ScheduleConfig, schedule } from './schedules.js';
export { type NonFinitePolicy, trainStep } from './step.js';
export { chunkByTime } from './tbptt.js';
