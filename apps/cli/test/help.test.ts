import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { presetFlags } from '../src/presets.js';
import { settingsSchemas, TASK_NAMES } from '../src/settings.js';
import { TASKS } from '../src/tasks/tasks.js';
import type { TrainFlags } from '../src/train-flags.js';
import { recur } from './helpers/cli.js';
import { tempDir } from './helpers/fixtures.js';

/** Settings every task takes from flags without a per-task default: not in the defaults table. */
const COMMON = ['task', 'source', 'maxSteps', 'epochs', 'seed', 'checkpointEvery'];

/** A task's settings that have a default: those its schema requires, past the common ones. */
const withDefault = (name: (typeof TASK_NAMES)[number]) =>
  Object.entries(settingsSchemas[name].shape)
    .filter(([key, schema]) => !COMMON.includes(key) && !(schema as z.ZodType).safeParse(undefined).success)
    .map(([key]) => key);

const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('recur train --help', () => {
  it("should list, whichever task is named, every task's own settings with the defaults its settings() fills in", async () => {
    const result = await recur(['train', 'classify', '--help'], await tempDir());
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^Defaults by task \(--preset quick; a flag overrides its default\):$/m);
    for (const name of TASK_NAMES) {
      const defaults = TASKS[name].settings({} as TrainFlags) as Record<string, unknown>;
      // Every setting the task's schema requires, past the common ones, has a default; the
      // defaults name only settings of the schema (an optional one, such as classify's
      // `model`, absent from older model files, may have a default too); the row shows them.
      expect(Object.keys(defaults)).toEqual(expect.arrayContaining(withDefault(name)));
      expect(Object.keys(settingsSchemas[name].shape)).toEqual(expect.arrayContaining(Object.keys(defaults)));
      const row = Object.entries(defaults)
        .map(([key, value]) => `${key} ${String(value)}`)
        .join(', ');
      expect(result.out).toMatch(new RegExp(`^ {2}${literal(name)} +${literal(row)}$`, 'm'));
    }
    // Spot checks against the values the tasks document, so a row cannot match by being empty.
    expect(result.out).toMatch(/^ {2}char-lm +.*\bchunkLength 64\b/m);
    expect(result.out).toMatch(/^ {2}forecast +.*\bhorizon 7\b/m);
    expect(result.out).toMatch(/^ {2}g2p +.*\bmodel attention\b/m);
    expect(result.out).toMatch(/^ {2}tag +.*\btagset universal, crf false\b/m);
  });

  it('should show the same table when another task is named', async () => {
    const dir = await tempDir();
    const table = (out: string) => out.slice(out.indexOf('Defaults by task'));
    const forTag = await recur(['train', 'tag', '--help'], dir);
    const forClassify = await recur(['train', 'classify', '--help'], dir);
    expect(forTag.code).toBe(0);
    expect(table(forTag.out)).toBe(table(forClassify.out));
    expect(
      table(forTag.out)
        .split('\n')
        .filter((l) => /^ {2}\S/.test(l)),
    ).toHaveLength(2 * TASK_NAMES.length);
  });

  it("should list each task's --preset best recipe as the flags it sets", async () => {
    const result = await recur(['train', 'g2p', '--help'], await tempDir());
    const recipes = result.out.slice(result.out.indexOf('Recipes by task (--preset best'));
    for (const name of TASK_NAMES) {
      const flags = Object.keys(presetFlags(name, 'best'));
      expect(flags.length).toBeGreaterThan(0);
      const row = new RegExp(`^ {2}${literal(name)} +(.*)$`, 'm').exec(recipes)?.[1] ?? '';
      expect(row.split(' --').length).toBe(flags.length);
    }
    expect(recipes).toMatch(/^ {2}g2p +.*--schedule cosine\b.*--all-pronunciations\b/m);
  });

  it("should match the README's preset table, row for row", async () => {
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    const help = (await recur(['train', 'g2p', '--help'], await tempDir())).out;
    for (const name of TASK_NAMES) {
      const documented = new RegExp(`^\\| \`${literal(name)}\` \\| \`(--[^\`]*)\` \\|`, 'm').exec(readme)?.[1];
      const shown = new RegExp(`^ {2}${literal(name)} +(--.*)$`, 'm').exec(help)?.[1];
      expect(documented, name).toBe(shown);
    }
  });
});
