import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecurError } from '@recur/core';
import { type CsvTable, parseCsv } from '@recur/datasets';
import { readCsv, readCsvBatches, readCsvSeries } from '@recur/datasets/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caught, useLeakChecks } from './helpers.js';

let dir = '';
const file = async (name: string, text: string) => {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'recur-csv-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('readCsvBatches', () => {
  useLeakChecks();

  describe('streaming', () => {
    it('should yield every row once, in order, in batches of batchSize, with numbers typed', async () => {
      const rows = Array.from({ length: 2503 }, (_, i) => `2020-01-${i},${i * 0.5},"name, ${i}"`);
      const path = await file('big.csv', `date,value,label\n${rows.join('\n')}\n`);
      const sizes: number[] = [];
      const seen: CsvTable['rows'][number][] = [];
      for await (const batch of readCsvBatches(path, { numeric: ['value'], batchSize: 1000 })) {
        expect(batch.header).toEqual(['date', 'value', 'label']);
        sizes.push(batch.rows.length);
        seen.push(...batch.rows);
      }
      expect(sizes).toEqual([1000, 1000, 503]);
      expect(seen.map((r) => r.value)).toEqual(rows.map((_, i) => i * 0.5));
      expect(seen[7]).toEqual({ date: '2020-01-7', value: 3.5, label: 'name, 7' });
    });

    it('should honour quotes, a BOM, a custom delimiter, blank lines and a given header', async () => {
      const path = await file('semi.csv', '\uFEFF1;"a;b"\n\n2;"say ""hi"""\n');
      const table = await readCsv(path, { delimiter: ';', header: ['n', 'text'], numeric: ['n'] });
      expect(table.rows).toEqual([
        { n: 1, text: 'a;b' },
        { n: 2, text: 'say "hi"' },
      ]);
      expect(Array.from(table.lines)).toEqual([1, 3]);
    });
  });

  describe('bad input', () => {
    it('should report a malformed row with its file and line, and yield nothing from that batch', async () => {
      const path = await file('ragged.csv', 'a,b\n1,2\n3,4\n5,6,7\n8,9\n');
      const got: number[] = [];
      const error = await caught(async () => {
        for await (const batch of readCsvBatches(path, { numeric: 'all' })) got.push(batch.rows.length);
      });
      expect(error).toBeInstanceOf(RecurError);
      expect(error.code).toBe('BAD_DATA');
      expect(error.message).toMatch(
        new RegExp(`^${escapeRegExp(path)}:4: expected 2 fields as in the header, received 3`),
      );
      expect(got).toEqual([]);
    });

    it('should report an unclosed quote with its file and line', async () => {
      const path = await file('quote.csv', 'a,b\n1,"2\n3,4\n');
      await expect(readCsv(path)).rejects.toThrow(
        new RegExp(`^${escapeRegExp(path)}:\\d+: malformed CSV: Quote Not Closed`),
      );
    });

    it('should report a non-numeric value in a numeric column with file, line and column', async () => {
      const path = await file('text-in-number.csv', 'x,y\n1,2\n3,abc\n');
      const error = await caught(() => readCsv(path, { numeric: ['x', 'y'] }));
      expect(error.message).toBe(`${path}:3: column 'y': expected a number, received 'abc'`);
      await expect(readCsv(await file('blank-number.csv', 'x,y\n1,\n'), { numeric: ['y'] })).rejects.toThrow(
        /:2: row 1, column 'y': blank cell; fill it, or pass blank: 'previous' or 'zero' to impute it/,
      );
    });

    it('should report an empty file, a missing numeric column and a missing file', async () => {
      const empty = await file('empty.csv', '');
      await expect(readCsv(empty)).rejects.toThrow(`${empty}: expected a header row, found no data (empty text)`);
      const path = await file('cols.csv', 'a,b\n1,2\n');
      await expect(readCsv(path, { numeric: ['c'] })).rejects.toThrow(
        `${path}:1: numeric columns ['c'] are not in the header ['a', 'b']`,
      );
      const absent = join(dir, 'absent.csv');
      await expect(readCsv(absent)).rejects.toThrow(`${absent}: cannot read CSV: ENOENT`);
    });

    it('should refuse bad options before opening the file', () => {
      expect(() => readCsvBatches('x.csv', { batchSize: 0 })).toThrow(
        /options\.batchSize: expected a positive integer/,
      );
      expect(() => readCsvBatches('x.csv', { numeric: 'some' as 'all' })).toThrow(
        /options\.numeric: expected 'all' or an array/,
      );
      expect(() => readCsvBatches('x.csv', { header: ['a', 'a'] })).toThrow(
        /options\.header: expected distinct non-empty column names/,
      );
    });
  });
});

describe('readCsvSeries', () => {
  useLeakChecks();

  describe('columns', () => {
    it('should read the chosen numeric columns as a time series, with its time stamps', async () => {
      const path = await file('series.csv', 'day,temp,rain,city\nmon,1.5,0,A\ntue,2.5,3,B\n');
      const { series, times } = await readCsvSeries(path, { columns: ['rain', 'temp'], timeColumn: 'day' });
      expect(series.shape).toEqual([2, 2]);
      expect(Array.from(series.data)).toEqual([0, 1.5, 3, 2.5]);
      expect(times).toEqual(['mon', 'tue']);
    });
  });
});

describe('parseCsv', () => {
  useLeakChecks();

  describe('in memory', () => {
    it('should parse as the streaming reader does and name the source in errors', async () => {
      const text = 'a,b\n1,x\n2,"y\nz"\n';
      const path = await file('same.csv', text);
      expect(parseCsv(text, { numeric: ['a'] })).toEqual(await readCsv(path, { numeric: ['a'] }));
      expect(() => parseCsv('a\n1\nq\n', { numeric: ['a'], source: 'inline.csv' })).toThrow(
        "inline.csv:3: column 'a': expected a number, received 'q'",
      );
      expect(() => parseCsv('a,b\n1\n', { source: 'inline.csv' })).toThrow(
        /^inline\.csv:2: expected 2 fields as in the header, received 1/,
      );
      expect(() => parseCsv('a,"b\n1\n', { source: 'inline.csv' })).toThrow(/^inline\.csv:\d+: malformed CSV/);
    });
  });
});

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
