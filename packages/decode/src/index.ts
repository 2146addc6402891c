export { type BeamSearchOptions, beamSearch, type Hypothesis } from './beam-search.js';
export {
  type CtcDecodeOptions,
  type CtcHypothesis,
  type CtcPrefixBeamOptions,
  ctcGreedy,
  ctcPrefixBeamSearch,
} from './ctc.js';
export { type GenerateOptions, generate, generateBatch, stream } from './generate.js';
export { lengthPenalty } from './length-penalty.js';
export { type RecurrentStepModelConfig, recurrentStepModel } from './recurrent-step-model.js';
export type { StepModel, StepOutput } from './step-model.js';
export type { DecodeStrategy, GreedyStrategy, SampleStrategy } from './strategy.js';
