export type { Float32Array2D, Float32Array3D, Float32ArrayND, Int32Array2D } from './arrays.js';
export { type BatchOptions, batchIndices, batchItems } from './batches.js';
export { type BucketOptions, bucketByLength, paddingWaste } from './bucket.js';
export { type BlankCells, type CsvOptions, type CsvRecord, type CsvTable, parseCsv, tableToSeries } from './csv.js';
export {
  BROWN_TAGSETS,
  type Brown,
  type BrownDocument,
  type BrownSplitOptions,
  type BrownTagset,
  brownFrom,
  parseBrownDocument,
  type TaggedSentence,
} from './datasets/brown.js';
export {
  type AlternatesMode,
  type Cmudict,
  type CmudictOptions,
  cmudict,
  type Pronunciation,
} from './datasets/cmudict.js';
export { type MobyDick, type MobyDickChapter, type MobyDickOptions, mobyDick } from './datasets/moby-dick.js';
export {
  type MoteSeries,
  type SensorAnomalies,
  type SensorAnomaliesOptions,
  type SensorReading,
  sensorAnomalies,
} from './datasets/sensor-anomalies.js';
export { type Speech, type StateOfTheUnion, type StateOfTheUnionOptions, stateOfTheUnion } from './datasets/sotu.js';
export {
  type Email,
  type SpamAssassin,
  type SpamAssassinGroup,
  type SpamAssassinOptions,
  spamAssassin,
} from './datasets/spam-assassin.js';
export { UNIVERSAL_TAGS, type UniversalTag, universalTag } from './datasets/universal-tags.js';
export { type UsBirths, type UsBirthsOptions, usBirths } from './datasets/us-births.js';
export {
  type Co2,
  co2,
  type SeattleWeather,
  seattleWeather,
  type VegaDatasetOptions,
  type VegaFile,
  type VegaSource,
  WEATHER_TYPES,
  type WeatherType,
} from './datasets/vega.js';
export { type DatedSeries, type DatedSplits, splitByDate } from './dated-series.js';
export { type ForecastingData, type ForecastingOptions, prepareForecasting, type ScalerKind } from './forecasting.js';
export type { DatasetLoadOptions, ModuleImporter } from './internal/optional-module.js';
export type { TextEncodingName } from './internal/strict-text.js';
export {
  type LanguageModelBatch,
  type LanguageModelOptions,
  type LanguageModelStream,
  languageModelBatches,
} from './lm-stream.js';
export { maskFromLengths, type PaddedSequences, type PadOptions, type PadSide, padSequences } from './pad.js';
export {
  MinMaxScaler,
  type MinMaxScalerJSON,
  type ScaleOptions,
  type Scaler,
  type ScalerJSON,
  StandardScaler,
  type StandardScalerJSON,
  scalerFromJSON,
} from './scalers.js';
export { type SequenceBatch, type SequenceBatchOptions, sequenceBatches } from './sequence-batches.js';
export { type ChronologicalSplit, chronologicalSplit, type SeriesPart, type SplitFractions } from './split.js';
export { splitText, type TokenizerLevel } from './split-text.js';
export { toTensor } from './tensors.js';
export { sliceSeries, type TimeSeries, timeSeries } from './time-series.js';
export {
  type DecodeOptions,
  type EncodeOptions,
  Tokenizer,
  type TokenizerJSON,
  type TokenizerOptions,
} from './tokenizer.js';
export { US_HOLIDAYS, type UsHoliday, usHoliday } from './us-holidays.js';
export {
  DEFAULT_SPECIAL_TOKENS,
  SPECIAL_IDS,
  type SpecialTokens,
  Vocabulary,
  type VocabularyOptions,
} from './vocabulary.js';
export { slidingWindows, type WindowOptions, type Windows } from './windows.js';
