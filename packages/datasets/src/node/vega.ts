import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { badArgument, RecurError } from '@recur/core';
import {
  type Co2,
  co2 as co2From,
  type SeattleWeather,
  seattleWeather as seattleWeatherFrom,
  type VegaDatasetOptions,
  type VegaFile,
  type VegaSource,
} from '../datasets/vega.js';
import { dataError, optionsRecord } from '../internal/check.js';
import { decodeStrict } from '../internal/strict-text.js';

/** Resolves a package's entry file, as `require.resolve` does. */
export type PackageResolver = (specifier: string) => string;

/**
 * A {@link VegaSource} reading the files of the installed vega-datasets package (they sit in
 * its `data/` folder, beside `build/`: the package exports only its fetching entry point).
 */
export function vegaFileSource(resolve: PackageResolver = createRequire(import.meta.url).resolve): VegaSource {
  return async (file: VegaFile) => {
    let entry: string;
    try {
      entry = resolve('vega-datasets');
    } catch (cause) {
      throw new RecurError(
        'MISSING_DEPENDENCY',
        `co2() and seattleWeather() need the optional package 'vega-datasets', which could not be found (${
          cause instanceof Error ? cause.message.split('\n')[0] : String(cause)
        }). Install it with: npm install vega-datasets`,
        { cause },
      );
    }
    const path = join(dirname(entry), '..', 'data', file);
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (error) {
      throw dataError(path, `cannot read: ${error instanceof Error ? error.message : String(error)}`, error);
    }
    return decodeStrict(bytes, 'utf-8', path);
  };
}

/** {@link co2From | co2} from the installed vega-datasets files. */
export function co2(options?: VegaFileOptions): Promise<Co2> {
  return co2From(withFileSource(options));
}

/** {@link seattleWeatherFrom | seattleWeather} from the installed vega-datasets files. */
export function seattleWeather(options?: VegaFileOptions): Promise<SeattleWeather> {
  return seattleWeatherFrom(withFileSource(options));
}

export interface VegaFileOptions extends Omit<VegaDatasetOptions, 'source' | 'importModule'> {
  /** How to find the installed vega-datasets. Default: `require.resolve` from this package. */
  readonly resolve?: PackageResolver;
}

function withFileSource(options: VegaFileOptions | undefined): VegaDatasetOptions {
  const { resolve, ...rest } = optionsRecord(options, 'options');
  if (resolve !== undefined && typeof resolve !== 'function')
    throw badArgument('BAD_CONFIG', 'options.resolve', 'a function', resolve);
  return { ...rest, source: vegaFileSource(resolve) };
}
