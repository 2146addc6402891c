import { badArgument, describeValue } from '@recur/core';
import { parseCsv } from '../csv.js';
import { checkSplitDates, type DatedSplits, splitByDate } from '../dated-series.js';
import { dataError, optionsRecord } from '../internal/check.js';
import { type DatasetLoadOptions, importOptional, runtimeImporter } from '../internal/optional-module.js';
import { decodeStrict } from '../internal/strict-text.js';

const PACKAGE = 'vega-datasets';

export type VegaFile = 'co2-concentration.csv' | 'seattle-weather.csv';

/** Gives the text of a vega-datasets file. */
export type VegaSource = (file: VegaFile) => Promise<string>;

export interface VegaDatasetOptions extends DatasetLoadOptions {
  /**
   * Where the CSV text comes from. Default: vega-datasets' own URL for the installed version
   * (jsDelivr), fetched: for browsers. In Node, use `co2` / `seattleWeather` from
   * `@recur/datasets/node`, which read the installed package's file instead.
   */
  readonly source?: VegaSource;
  /** First date of the validation split, 'YYYY-MM-DD'. */
  readonly validationFrom?: string;
  /** First date of the test split, 'YYYY-MM-DD'. */
  readonly testFrom?: string;
}

export type Co2 = DatedSplits;

export const WEATHER_TYPES = ['drizzle', 'fog', 'rain', 'snow', 'sun'] as const;
export type WeatherType = (typeof WEATHER_TYPES)[number];

export interface SeattleWeather extends DatedSplits {
  /** The weather type of each row of `all`. */
  readonly weather: readonly WeatherType[];
  /** The index into {@link WEATHER_TYPES} of each row of `all`. */
  readonly weatherIds: Int32Array;
}

/**
 * Monthly mean CO2 at Mauna Loa, March 1958 – April 2020 (vega-datasets
 * `co2-concentration.csv`, Scripps CO2 Program, CC-BY-4.0): 741 months (a few missing),
 * columns 'CO2' and 'adjusted CO2' (seasonally adjusted), ppm. Splits in time order:
 * before 2000 train, 2000–2009 validation, 2010 onwards test.
 */
export async function co2(options?: VegaDatasetOptions): Promise<Co2> {
  const { text, validationFrom, testFrom } = await vegaText('co2', 'co2-concentration.csv', options, [
    '2000-01-01',
    '2010-01-01',
  ]);
  const table = parseCsv(text, {
    numeric: ['CO2', 'adjusted CO2'],
    source: 'vega-datasets/data/co2-concentration.csv',
  });
  const columns = ['CO2', 'adjusted CO2'];
  return splitByDate(
    dated(table.rows, 'Date', columns, 'vega-datasets/data/co2-concentration.csv', table.lines),
    validationFrom,
    testFrom,
  );
}

/**
 * Daily Seattle weather 2012–2015 (vega-datasets `seattle-weather.csv`, NOAA, US
 * Government work): 1,461 days with precipitation (mm), temp_max, temp_min (°C), wind
 * (km/h, as the package describes it) and a weather type. Splits by year: 2012–2013
 * train, 2014 validation, 2015 test.
 */
export async function seattleWeather(options?: VegaDatasetOptions): Promise<SeattleWeather> {
  const { text, validationFrom, testFrom } = await vegaText('seattleWeather', 'seattle-weather.csv', options, [
    '2014-01-01',
    '2015-01-01',
  ]);
  const columns = ['precipitation', 'temp_max', 'temp_min', 'wind'];
  const source = 'vega-datasets/data/seattle-weather.csv';
  const table = parseCsv(text, { numeric: columns, source });
  const weatherIds = new Int32Array(table.rows.length);
  const weather = table.rows.map((row, i) => {
    const w = row.weather;
    const id = WEATHER_TYPES.indexOf(w as WeatherType);
    if (id < 0)
      throw dataError(
        `${source}:${table.lines[i]}`,
        `weather: expected one of ${WEATHER_TYPES.join(', ')}, received ${describeValue(w)}`,
      );
    weatherIds[i] = id;
    return w as WeatherType;
  });
  return {
    ...splitByDate(dated(table.rows, 'date', columns, source, table.lines), validationFrom, testFrom),
    weather,
    weatherIds,
  };
}

async function vegaText(
  dataset: string,
  file: VegaFile,
  options: VegaDatasetOptions | undefined,
  [validationDefault, testDefault]: readonly [string, string],
): Promise<{ text: string; validationFrom: string; testFrom: string }> {
  const o = optionsRecord(options, 'options');
  if (o.source !== undefined && typeof o.source !== 'function')
    throw badArgument('BAD_CONFIG', 'options.source', 'a function', o.source);
  const validationFrom = o.validationFrom ?? validationDefault;
  const testFrom = o.testFrom ?? testDefault;
  checkSplitDates(validationFrom, testFrom);
  const source = o.source ?? ((f: VegaFile) => fetchFromCdn(dataset, f, o.importModule));
  const text = await source(file);
  if (typeof text !== 'string' || text.length === 0)
    throw dataError(`vega-datasets/data/${file}`, 'expected CSV text, received none (empty text)');
  return { text, validationFrom, testFrom };
}

async function fetchFromCdn(
  dataset: string,
  file: VegaFile,
  importModule: DatasetLoadOptions['importModule'],
): Promise<string> {
  const mod = await importOptional(dataset, PACKAGE, importModule ?? runtimeImporter(PACKAGE));
  const url = (mod as { default?: Record<string, { url?: unknown } | undefined> }).default?.[file]?.url;
  if (typeof url !== 'string') throw dataError(PACKAGE, `expected a URL for ${file}, received ${describeValue(url)}`);
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw dataError(url, `cannot fetch: ${error instanceof Error ? error.message : String(error)}`, error);
  }
  if (!response.ok) throw dataError(url, `cannot fetch: HTTP ${response.status}`);
  // response.text() would turn malformed bytes into U+FFFD silently.
  return decodeStrict(new Uint8Array(await response.arrayBuffer()), 'utf-8', url);
}

function dated(
  rows: readonly Readonly<Record<string, string | number>>[],
  dateColumn: string,
  columns: readonly string[],
  where: string,
  lines: Int32Array,
) {
  const dates: string[] = [];
  const data = new Float32Array(rows.length * columns.length);
  rows.forEach((row, r) => {
    const date = row[dateColumn];
    if (
      typeof date !== 'string' ||
      !/^\d{4}-\d{2}-\d{2}$/.test(date) ||
      (r > 0 && !(date > (dates[r - 1] as string)))
    ) {
      throw dataError(
        `${where}:${lines[r]}`,
        `${dateColumn}: expected an increasing date 'YYYY-MM-DD', received ${describeValue(date)}`,
      );
    }
    dates.push(date);
    columns.forEach((c, f) => {
      data[r * columns.length + f] = row[c] as number;
    });
  });
  return {
    dates,
    series: { data, shape: [rows.length, columns.length] as const },
    columns,
    start: 0,
    end: rows.length,
  };
}
