import { stat } from 'node:fs/promises';
import type { CsvTable } from '@recur/datasets';
import { readCsv, readText } from '@recur/datasets/node';
import { CliError } from '../errors.js';
import { checkUtf8File } from './utf8.js';

/** Fails with a line that says what to do when `path` is missing, a folder, or empty. */
export async function checkFile(path: string): Promise<void> {
  const info = await stat(path).catch(() => undefined);
  if (info === undefined) throw new CliError(`file not found: ${path} (check the path given to --file)`);
  if (!info.isFile()) throw new CliError(`${path} is not a file: give --file a text or CSV file`);
  if (info.size === 0) throw new CliError(`${path} is empty: give --file a file with data in it`);
  await checkUtf8File(path);
}

export async function readTextFile(path: string): Promise<string> {
  await checkFile(path);
  const text = await readText(path);
  if (text.trim() === '') throw new CliError(`${path} holds only white space: give --file a file with text in it`);
  return text;
}

/**
 * A CSV file with `columns` checked against its header; `numeric` ones parsed as numbers
 * (a bad value names file, line and column). `option` names the flag for the message.
 */
export async function readCsvFile(
  path: string,
  columns: readonly { readonly name: string; readonly option: string }[],
  numeric: readonly string[],
): Promise<CsvTable> {
  await checkFile(path);
  const header = (await readCsv(path, { numeric: [] })).header;
  for (const { name, option } of columns) {
    if (!header.includes(name)) {
      throw new CliError(
        `${path} has no column '${name}' (its columns: ${header.join(', ')}): pass ${option} <one of them>`,
      );
    }
  }
  const table = await readCsv(path, { numeric });
  if (table.rows.length === 0) throw new CliError(`${path} has a header but no rows: give --file a CSV with data rows`);
  return table;
}

/**
 * Rows of a table file split without shuffling the file: every tenth row from the ninth
 * is validation, from the tenth test, the rest training. Fixed, so `eval` finds the same
 * held-out rows, and every split is non-empty from ten rows on.
 */
export function splitRows<T>(rows: readonly T[], path: string): { train: T[]; validation: T[]; test: T[] } {
  if (rows.length < 10) {
    throw new CliError(`${path} has ${rows.length} rows: give at least 10 (8 train, 1 validation, 1 test)`);
  }
  const out = { train: [] as T[], validation: [] as T[], test: [] as T[] };
  rows.forEach((row, i) => {
    (i % 10 === 8 ? out.validation : i % 10 === 9 ? out.test : out.train).push(row);
  });
  return out;
}

/** Consecutive blocks in time order: the first `1 − validation − test` train, then validation, then test. */
export function splitInTime<T>(
  rows: readonly T[],
  fractions: { validation: number; test: number },
): { train: T[]; validation: T[]; test: T[] } {
  const n = rows.length;
  const trainEnd = Math.round(n * (1 - fractions.validation - fractions.test));
  const validationEnd = Math.round(n * (1 - fractions.test));
  return {
    train: rows.slice(0, trainEnd),
    validation: rows.slice(trainEnd, validationEnd),
    test: rows.slice(validationEnd),
  };
}
