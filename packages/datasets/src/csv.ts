import { badArgument, describeValue, RecurError } from '@recur/core';
import { parse } from 'csv-parse/browser/esm/sync';
import { dataError, optionsRecord } from './internal/check.js';
import type { TimeSeries } from './time-series.js';

export interface CsvOptions {
  /** Field delimiter. Default ','. */
  readonly delimiter?: string;
  /** Columns to read as numbers ('all' for every column); others stay strings. Default none. */
  readonly numeric?: readonly string[] | 'all';
  /** Column names when the data has no header row. Default: the first row is the header. */
  readonly header?: readonly string[];
  /**
   * What a blank cell in a numeric column means: `'error'` (default; the error names the
   * row and column), `'previous'` (the value of the row before; an error in the first
   * row) or `'zero'`. Nothing is dropped or shifted silently.
   */
  readonly blank?: BlankCells;
}

export type BlankCells = 'error' | 'previous' | 'zero';
const BLANK_POLICIES: readonly BlankCells[] = ['error', 'previous', 'zero'];

/**
 * One row by column name. Rows have no prototype, so any column name (`__proto__`,
 * `constructor`) is an ordinary key.
 */
export type CsvRecord = Readonly<Record<string, string | number>>;

export interface CsvTable {
  readonly header: readonly string[];
  readonly rows: readonly CsvRecord[];
  /** Line of the source on which each row ends (1-based), for messages about a row. */
  readonly lines: Int32Array;
}

/**
 * What csv-parse is told, from {@link CsvOptions}. A BOM is dropped. Empty lines are kept
 * for {@link CsvRecordReader}: in a one-column file an empty line is a blank cell.
 */
export function csvParseOptions(options: CsvOptions | undefined): {
  delimiter: string;
  info: true;
  bom: true;
  skip_empty_lines: false;
  relax_column_count: true;
} {
  const o = optionsRecord(options, 'options');
  const delimiter = o.delimiter ?? ',';
  if (typeof delimiter !== 'string' || delimiter.length === 0) {
    throw badArgument('BAD_CONFIG', 'options.delimiter', 'a non-empty string', delimiter);
  }
  const numeric = o.numeric ?? [];
  if (numeric !== 'all' && !(Array.isArray(numeric) && numeric.every((c) => typeof c === 'string'))) {
    throw badArgument('BAD_CONFIG', 'options.numeric', "'all' or an array of column names", numeric);
  }
  const header = o.header;
  if (
    header !== undefined &&
    !(
      Array.isArray(header) &&
      header.length > 0 &&
      header.every((n) => typeof n === 'string' && n !== '') &&
      new Set(header).size === header.length
    )
  ) {
    throw badArgument('BAD_CONFIG', 'options.header', 'distinct non-empty column names', header);
  }
  if (o.blank !== undefined && !BLANK_POLICIES.includes(o.blank)) {
    throw badArgument('BAD_CONFIG', 'options.blank', "'error', 'previous' or 'zero'", o.blank);
  }
  // The field count is checked per row by CsvRecordReader, which tells an empty line from a short row.
  return { delimiter, info: true, bom: true, skip_empty_lines: false, relax_column_count: true };
}

/**
 * Turns csv-parse's raw records into typed rows, one at a time, so a streaming reader and
 * {@link parseCsv} share one set of checks. `where` (a file path or a name) starts every
 * error message, followed by the line.
 */
export class CsvRecordReader {
  private header: readonly string[] | undefined;
  private numeric: ReadonlySet<number> = new Set();
  private readonly numericOption: readonly string[] | 'all';
  private readonly blank: BlankCells;
  /** Data rows read so far (for messages, 1-based as a person counts them). */
  private rowCount = 0;
  private previous: CsvRecord | undefined;
  /** Lines of empty lines in a one-column file, held until a row follows (trailing ones are not rows). */
  private emptyLines: number[] = [];

  constructor(
    options: CsvOptions | undefined,
    private readonly where: string,
  ) {
    const o = optionsRecord(options, 'options');
    this.numericOption = o.numeric ?? [];
    this.blank = o.blank ?? 'error';
    if (o.header !== undefined) this.setHeader(o.header, 0);
  }

  /** The header, once known. */
  get columns(): readonly string[] | undefined {
    return this.header;
  }

  /** Reads one raw record: the header row (no rows), or the data rows it completes, typed. */
  read(record: readonly string[], line: number): { row: CsvRecord; line: number }[] {
    const empty = record.length === 1 && record[0] === '';
    if (this.header === undefined) {
      if (!empty) this.setHeader(record, line);
      return [];
    }
    if (empty) {
      // With several columns an empty line is no row; with one it is a blank cell.
      if (this.header.length === 1) this.emptyLines.push(line);
      return [];
    }
    const rows = this.emptyLines.map((l) => ({ row: this.typed([''], l), line: l }));
    this.emptyLines = [];
    rows.push({ row: this.typed(record, line), line });
    return rows;
  }

  /** Throws unless a header was seen: a source with no rows at all. */
  finish(): readonly string[] {
    if (this.header === undefined) throw dataError(this.where, 'expected a header row, found no data (empty text)');
    return this.header;
  }

  private typed(record: readonly string[], line: number): CsvRecord {
    const header = this.header as readonly string[];
    this.rowCount++;
    if (record.length !== header.length) {
      throw dataError(
        `${this.where}:${line}`,
        `expected ${header.length} fields as in the header, received ${record.length}`,
      );
    }
    const row: Record<string, string | number> = Object.create(null);
    for (let c = 0; c < header.length; c++) {
      const raw = record[c] as string;
      const name = header[c] as string;
      row[name] = this.numeric.has(c) ? this.number(raw, line, name) : raw;
    }
    this.previous = row;
    return row;
  }

  private number(raw: string, line: number, column: string): number {
    const where = `${this.where}:${line}`;
    const trimmed = raw.trim();
    if (trimmed === '') {
      if (this.blank === 'zero') return 0;
      const before = this.previous?.[column];
      if (this.blank === 'previous' && typeof before === 'number') return before;
      throw dataError(
        where,
        `row ${this.rowCount}, column '${column}': blank cell${
          this.blank === 'previous' ? ' with no row before it' : ''
        }; fill it, or pass blank: 'previous' or 'zero' to impute it`,
      );
    }
    // Decimal notation only: Number() would also take '0x1f' or '0b101', which no data file means as numbers.
    const value = DECIMAL.test(trimmed) ? Number(trimmed) : Number.NaN;
    if (!Number.isFinite(value)) {
      throw dataError(where, `column '${column}': expected a number, received ${describeValue(raw)}`);
    }
    return value;
  }

  private setHeader(names: readonly string[], line: number): void {
    checkHeader(names, `${this.where}:${line} header`);
    const missing = this.numericOption === 'all' ? [] : this.numericOption.filter((c) => !names.includes(c));
    if (missing.length > 0) {
      throw dataError(
        `${this.where}:${line}`,
        `numeric columns ${describeValue(missing)} are not in the header ${describeValue(names)}`,
      );
    }
    this.header = names;
    this.numeric = new Set(
      names.flatMap((n, i) => (this.numericOption === 'all' || this.numericOption.includes(n) ? [i] : [])),
    );
  }
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A csv-parse error (malformed row, unclosed quote) as a `RecurError` naming source and line. */
export function csvError(error: unknown, where: string): RecurError {
  if (error instanceof RecurError) return error;
  const e = error as { code?: unknown; lines?: unknown; message?: unknown };
  if (typeof e?.code === 'string' && e.code.startsWith('CSV_')) {
    return dataError(
      `${where}:${typeof e.lines === 'number' ? e.lines : '?'}`,
      `malformed CSV: ${String(e.message)}`,
      error,
    );
  }
  return dataError(where, `cannot read CSV: ${error instanceof Error ? error.message : String(error)}`, error);
}

/**
 * Parses CSV text held in memory (a fetched file, a test fixture) with csv-parse. Every
 * row is checked before anything is returned. Use `readCsv` from `@recur/datasets/node`
 * for files, streaming.
 */
export function parseCsv(text: string, options?: CsvOptions & { readonly source?: string }): CsvTable {
  const parseOptions = csvParseOptions(options);
  const where = options?.source ?? 'CSV text';
  if (typeof where !== 'string') throw badArgument('BAD_CONFIG', 'options.source', 'a string', where);
  if (typeof text !== 'string') throw badArgument('BAD_DATA', 'text', 'a string', text);
  const reader = new CsvRecordReader(options, where);
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, parseOptions) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (error) {
    throw csvError(error, where);
  }
  const rows: CsvRecord[] = [];
  const lines: number[] = [];
  for (const { record, info } of records) {
    for (const { row, line } of reader.read(record, info.lines)) {
      rows.push(row);
      lines.push(line);
    }
  }
  return { header: reader.finish(), rows, lines: Int32Array.from(lines) };
}

/**
 * Numeric columns of a table as a {@link TimeSeries} `[rows, columns.length]`, in the order
 * of `columns`; each must have been read as numeric.
 */
export function tableToSeries(table: CsvTable, columns: readonly string[], where = 'table'): TimeSeries {
  if (!Array.isArray(columns) || columns.length === 0 || !columns.every((c) => table.header.includes(c))) {
    throw badArgument(
      'BAD_CONFIG',
      'columns',
      `a non-empty list of columns from ${describeValue(table.header)}`,
      columns,
    );
  }
  const width = columns.length;
  const data = new Float32Array(table.rows.length * width);
  table.rows.forEach((row, r) => {
    columns.forEach((c, f) => {
      const v = row[c];
      if (typeof v !== 'number')
        throw dataError(`${where}:${table.lines[r]}`, `column '${c}': expected a number, received ${describeValue(v)}`);
      data[r * width + f] = v;
    });
  });
  return { data, shape: [table.rows.length, width] };
}

function checkHeader(names: unknown, where: string): asserts names is readonly string[] {
  if (!Array.isArray(names) || names.length === 0 || !names.every((n) => typeof n === 'string' && n.length > 0)) {
    throw dataError(where, `expected non-empty column names, received ${describeValue(names)}`);
  }
  const seen = new Set<string>();
  for (const n of names as string[]) {
    if (seen.has(n)) throw dataError(where, `expected distinct column names, received '${n}' twice`);
    seen.add(n);
  }
}
