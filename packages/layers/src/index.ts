export {
  type BidirectionalLayer,
  type BidirectionalOptions,
  type BidirectionalParams,
  bidirectional,
  MERGE_MODES,
  type MergedOutput,
  type MergeMode,
} from './bidirectional.js';
export { type Crf, type CrfConfig, type CrfOptions, type CrfParams, type CrfPath, crf } from './crf.js';
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
export {
  type LayerNormParams,
  type MinRnnBlockConfig,
  type MinRnnBlockLayer,
  type MinRnnBlockParams,
  minRnnBlock,
  minRnnStack,
} from './min-rnn-block.js';
export { type RecurrentLayer, type RecurrentOptions, recurrent, type SequenceOutput } from './recurrent.js';
export { type CellRegularization, type RegularizedCell, regularizedCell } from './regularized-cell.js';
export { type RwkvBlock, type RwkvStackConfig, rwkvStack } from './rwkv-stack.js';
export {
  ATTENTION_KINDS,
  type AttendOptions,
  type Attention,
  type AttentionConfig,
  type AttentionKind,
  type AttentionOutput,
  type AttentionParams,
  attention,
} from './seq2seq/attention.js';
export {
  BRIDGES,
  type Bridge,
  type EncoderLayer,
  type ResolvedSeq2SeqConfig,
  type Seq2SeqConfig,
} from './seq2seq/config.js';
export type { DecoderState, Seq2SeqParams } from './seq2seq/network.js';
export {
  type Seq2SeqApplyOptions,
  type Seq2SeqInput,
  type Seq2SeqModel,
  type Seq2SeqOutput,
  seq2seq,
} from './seq2seq/seq2seq.js';
export { type Seq2SeqDecodeState, type Seq2SeqStepModel, seq2seqStepModel } from './seq2seq/step-model.js';
export {
  type Seq2SeqBatch,
  type Seq2SeqTrainable,
  type Seq2SeqTrainableOptions,
  seq2seqTrainable,
} from './seq2seq/trainable.js';
export { type StackedLayer, type StackedParams, type StackedStates, stacked } from './stacked.js';
export {
  type ResolvedTaggerConfig,
  TAGGER_OUTPUTS,
  type TaggerApplyOptions,
  type TaggerConfig,
  type TaggerInput,
  type TaggerModel,
  type TaggerOutput,
  type TaggerOutputTensors,
  type TaggerParams,
  tagger,
} from './tagger.js';
export { type TaggerBatch, type TaggerTrainable, taggerLoss, taggerTrainable } from './tagger-trainable.js';
export { type TdnnConfig, type TdnnContext, type TdnnLayer, type TdnnParams, tdnn } from './tdnn.js';
export { type TimeDistributedLayer, timeDistributed } from './time-distributed.js';
export {
  type ScalarFunction,
  type TrainableLayer,
  type TrainableOptions,
  type TrainingBatch,
  trainable,
} from './trainable.js';
export { disposeParams, type ToVariablesOptions, toVariables, type VariableTree } from './variables.js';
export {
  XLSTM_BLOCK_KINDS,
  type XlstmBlockKind,
  type XlstmBlockLayer,
  type XlstmBlockOptions,
  type XlstmBlockParams,
  xlstmBlock,
  xlstmStack,
} from './xlstm-block.js';
