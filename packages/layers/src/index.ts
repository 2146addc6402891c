export {
  type BidirectionalLayer,
  type BidirectionalOptions,
  type BidirectionalParams,
  bidirectional,
  MERGE_MODES,
  type MergedOutput,
  type MergeMode,
} from './bidirectional.js';
export { type DenseConfig, type DenseLayer, type DenseParams, dense } from './dense.js';
export { type DropoutLayer, type DropoutParams, dropout } from './dropout.js';
export { type EmbeddingConfig, type EmbeddingLayer, type EmbeddingParams, embedding } from './embedding.js';
export { cellKerasWeightSpec, fromKerasWeights, toKerasWeights } from './keras-weights.js';
export type {
  AnyLayer,
  ApplyOptions,
  BidirectionalState,
  Layer,
  LayerOutput,
  LayerState,
  ParamTree,
  StackedState,
  WeightSpec,
} from './layer.js';
export { type RecurrentLayer, type RecurrentOptions, recurrent, type SequenceOutput } from './recurrent.js';
export { type CellRegularization, type RegularizedCell, regularizedCell } from './regularized-cell.js';
export { type StackedLayer, type StackedParams, type StackedStates, stacked } from './stacked.js';
export { type TimeDistributedLayer, timeDistributed } from './time-distributed.js';
