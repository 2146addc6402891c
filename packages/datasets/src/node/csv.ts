import { Readable } from 'node:stream';
import { assertPositiveInteger, badArgument } from '@recur/core';
import { parse } from 'csv-parse';
import {
  type CsvOptions,
  type CsvRecord,
  CsvRecordReader,
  type CsvTable,
  csvError,
  csvParseOptions,
  tableToSeries,
} from '../csv.js';
import { optionsRecord } from '../internal/check.js';
import { checkEncoding, type TextEncodingName } from '../internal/strict-text.js';
import type { TimeSeries } from '../time-series.js';
import { decodedChunks } from './text.js';

export interface CsvFileOptions extends CsvOptions {
  /** The file's text encoding. Default `'utf-8'`, read strictly (a malformed byte is an error naming its offset). */
  readonly encoding?: TextEncodingName;
}

export interface CsvReadOptions extends CsvFileOptions {
  /** Rows per batch. Default 1024. */
  readonly batchSize?: number;
}

/**
 * Streams a CSV file through csv-parse, `batchSize` typed rows at a time, so a file larger
 * than memory can be processed. A malformed row, or a non-number in a numeric column,
 * throws a `RecurError` naming the file and line; the batch holding it is never yielded.
 */
export function readCsvBatches(path: string, options?: CsvReadOptions): AsyncIterableIterator<CsvTable> {
  checkPath(path);
  const parseOptions = csvParseOptions(options);
  const batchSize = optionsRecord(options, 'options').batchSize ?? 1024;
  assertPositiveInteger(batchSize, 'options.batchSize');
  const encoding = checkEncoding(options?.encoding);
  return streamCsv(path, encoding, parseOptions, new CsvRecordReader(options, path), batchSize);
}

/** The whole CSV file as one table: all rows checked, or an error and nothing. */
export async function readCsv(path: string, options?: CsvFileOptions): Promise<CsvTable> {
  checkPath(path);
  const parseOptions = csvParseOptions(options);
  const encoding = checkEncoding(options?.encoding);
  const reader = new CsvRecordReader(options, path);
  const rows: CsvRecord[] = [];
  const lines: number[] = [];
  for await (const batch of streamCsv(path, encoding, parseOptions, reader, 65536)) {
    for (const row of batch.rows) rows.push(row);
    for (const line of batch.lines) lines.push(line);
  }
  return { header: reader.finish(), rows, lines: Int32Array.from(lines) };
}

async function* streamCsv(
  path: string,
  encoding: string,
  parseOptions: ReturnType<typeof csvParseOptions>,
  reader: CsvRecordReader,
  batchSize: number,
): AsyncIterableIterator<CsvTable> {
  const parser = parse(parseOptions);
  const file = Readable.from(decodedChunks(path, encoding, 1 << 16));
  // pipe() does not forward a read error (a missing file, a malformed byte): hand it to the parser.
  file.on('error', (error) => parser.destroy(error));
  file.pipe(parser);
  let rows: CsvRecord[] = [];
  let lines: number[] = [];
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      for (const { row, line } of reader.read(record, info.lines)) {
        rows.push(row);
        lines.push(line);
      }
      while (rows.length >= batchSize) {
        yield {
          header: reader.finish(),
          rows: rows.slice(0, batchSize),
          lines: Int32Array.from(lines.slice(0, batchSize)),
        };
        rows = rows.slice(batchSize);
        lines = lines.slice(batchSize);
      }
    }
  } catch (error) {
    throw csvError(error, path);
  } finally {
    file.destroy();
    parser.destroy();
  }
  const header = reader.finish();
  if (rows.length > 0) yield { header, rows, lines: Int32Array.from(lines) };
}

export interface CsvSeriesOptions extends Omit<CsvFileOptions, 'numeric'> {
  /** Numeric columns that make the series' features, in this order. */
  readonly columns: readonly string[];
  /** A column holding each row's time stamp (kept as text). */
  readonly timeColumn?: string;
}

/** A CSV file's numeric columns as a {@link TimeSeries}, rows in file order. */
export async function readCsvSeries(
  path: string,
  options: CsvSeriesOptions,
): Promise<{ readonly series: TimeSeries; readonly times: readonly string[] | undefined }> {
  const o = optionsRecord(options, 'options');
  if (!Array.isArray(o.columns) || o.columns.length === 0 || !o.columns.every((c) => typeof c === 'string')) {
    throw badArgument('BAD_CONFIG', 'options.columns', 'a non-empty array of column names', o.columns);
  }
  if (o.timeColumn !== undefined && typeof o.timeColumn !== 'string') {
    throw badArgument('BAD_CONFIG', 'options.timeColumn', 'a column name', o.timeColumn);
  }
  const table = await readCsv(path, { ...o, numeric: o.columns });
  const series = tableToSeries(table, o.columns, path);
  const time = o.timeColumn;
  if (time === undefined) return { series, times: undefined };
  if (!table.header.includes(time)) {
    throw badArgument('BAD_CONFIG', 'options.timeColumn', `a column of ${path}: ${table.header.join(', ')}`, time);
  }
  return { series, times: table.rows.map((r) => String(r[time])) };
}

function checkPath(path: unknown): asserts path is string {
  if (typeof path !== 'string' || path === '') throw badArgument('BAD_CONFIG', 'path', 'a file path', path);
}
