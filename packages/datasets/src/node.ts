/**
 * Node-only parts of @recur/datasets (`@recur/datasets/node`): streaming file readers and
 * file-backed datasets. Kept apart so the main entry never imports a `node:` module and
 * stays usable in browsers.
 */
export { type BrownOptions, brown, readBrownDocuments } from './node/brown.js';
export {
  type CsvFileOptions,
  type CsvReadOptions,
  type CsvSeriesOptions,
  readCsv,
  readCsvBatches,
  readCsvSeries,
} from './node/csv.js';
export { readLines, readText, readTextChunks, type TextReadOptions } from './node/text.js';
export { loadTokenizer, saveTokenizer } from './node/tokenizer-file.js';
export { co2, type PackageResolver, seattleWeather, type VegaFileOptions, vegaFileSource } from './node/vega.js';
