import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import {
  type Co2,
  co2 as co2FromSource,
  type SeattleWeather,
  WEATHER_TYPES,
  seattleWeather as weatherFromSource,
} from '@recur/datasets';
import { co2, seattleWeather } from '@recur/datasets/node';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { useLeakChecks } from './helpers.js';

const dataDir = join(dirname(createRequire(import.meta.url).resolve('vega-datasets')), '..', 'data');

describe('co2', () => {
  useLeakChecks();
  let data: Co2;
  beforeAll(async () => {
    data = await co2();
  });

  describe('content', () => {
    it('should read 741 monthly rows, March 1958 to April 2020, CO2 and seasonally adjusted CO2', () => {
      expect(data.all.dates).toHaveLength(741);
      expect([data.all.dates[0], data.all.dates.at(-1)]).toEqual(['1958-03-01', '2020-04-01']);
      expect(data.all.columns).toEqual(['CO2', 'adjusted CO2']);
      expect(Array.from(data.all.series.data.subarray(0, 2))).toEqual([Math.fround(315.7), Math.fround(314.44)]);
    });
  });

  describe('splits', () => {
    it('should split before 2000 / 2000–2009 / from 2010 into 497, 120 and 124 months', () => {
      expect([data.train.dates.length, data.validation.dates.length, data.test.dates.length]).toEqual([497, 120, 124]);
      expect([data.train.dates.at(-1), data.validation.dates[0], data.test.dates[0]]).toEqual([
        '1999-12-01',
        '2000-01-01',
        '2010-01-01',
      ]);
    });
  });
});

describe('seattleWeather', () => {
  useLeakChecks();
  let data: SeattleWeather;
  beforeAll(async () => {
    data = await seattleWeather();
  });

  describe('content', () => {
    it('should read 1,461 days of 2012–2015 with four measurements and a weather type', () => {
      expect(data.all.dates).toHaveLength(1461);
      expect(data.all.columns).toEqual(['precipitation', 'temp_max', 'temp_min', 'wind']);
      const counts = Object.fromEntries(WEATHER_TYPES.map((w) => [w, data.weather.filter((x) => x === w).length]));
      expect(counts).toEqual({ drizzle: 53, fog: 101, rain: 641, snow: 26, sun: 640 });
      expect(data.weatherIds.every((id, i) => WEATHER_TYPES[id] === data.weather[i])).toBe(true);
    });
  });

  describe('splits', () => {
    it('should split by year: 2012–2013 (731 days), 2014 (365), 2015 (365)', () => {
      expect([data.train.dates.length, data.validation.dates.length, data.test.dates.length]).toEqual([731, 365, 365]);
      expect([data.validation.start, data.test.start]).toEqual([731, 1096]);
    });
  });
});

describe('vega datasets from the network (browser path)', () => {
  useLeakChecks();
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  describe('default source', () => {
    it("should fetch the installed version's file from vega-datasets' own URL", async () => {
      const requested: string[] = [];
      vi.stubGlobal('fetch', async (url: string) => {
        requested.push(url);
        return new Response(await readFile(join(dataDir, 'co2-concentration.csv'), 'utf8'));
      });
      const data = await co2FromSource();
      expect(requested).toEqual(['https://cdn.jsdelivr.net/npm/vega-datasets@3.2.1/data/co2-concentration.csv']);
      expect(data.all.dates).toHaveLength(741);
    });

    it('should report a failed download with its URL', async () => {
      vi.stubGlobal('fetch', async () => new Response('gone', { status: 404 }));
      await expect(weatherFromSource()).rejects.toThrow(
        'https://cdn.jsdelivr.net/npm/vega-datasets@3.2.1/data/seattle-weather.csv: cannot fetch: HTTP 404',
      );
    });
  });

  describe('bad input', () => {
    it('should report a non-numeric measurement and an unknown weather type with file and line', async () => {
      const text = await readFile(join(dataDir, 'seattle-weather.csv'), 'utf8');
      const lines = text.split('\n');
      const bad = (i: number, line: string) => async () =>
        [...lines.slice(0, i), line, ...lines.slice(i + 1)].join('\n');
      await expect(weatherFromSource({ source: bad(3, '2012-01-03,0.8,warm,7.2,2.3,rain') })).rejects.toThrow(
        "vega-datasets/data/seattle-weather.csv:4: column 'temp_max': expected a number, received 'warm'",
      );
      await expect(weatherFromSource({ source: bad(5, '2012-01-05,1.3,8.9,2.8,6.1,hail') })).rejects.toThrow(
        /seattle-weather\.csv:6: weather: expected one of drizzle, fog, rain, snow, sun, received 'hail'/,
      );
      await expect(weatherFromSource({ source: async () => '' })).rejects.toThrow(
        /seattle-weather\.csv: expected CSV text, received none/,
      );
    });
  });
});
