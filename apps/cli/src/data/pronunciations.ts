import { cmudict } from '@recur/datasets';
import { CliError } from '../errors.js';
import type { DataSource } from '../settings.js';
import { readCsvFile, splitRows } from './files.js';

/** One pronunciation of a word. */
export interface Pair {
  readonly word: string;
  readonly phonemes: readonly string[];
}

/** A word with every pronunciation listed for it, the first (CMUdict's primary) first. */
export interface Entry {
  readonly word: string;
  readonly pronunciations: readonly (readonly string[])[];
}

/** Words by split: all pronunciations of a word are on the same side. */
export interface Pronunciations {
  readonly train: readonly Entry[];
  readonly validation: readonly Entry[];
  readonly test: readonly Entry[];
}

/** Each word's first pronunciation, or with `all` each of its pronunciations, as training pairs. */
export function pairsOf(entries: readonly Entry[], all: boolean): Pair[] {
  return entries.flatMap((e) =>
    (all ? e.pronunciations : e.pronunciations.slice(0, 1)).map((phonemes) => ({ word: e.word, phonemes })),
  );
}

/** Pairs grouped by word, in the order of each word's first pair; pronunciations in order. */
function byWord(pairs: readonly Pair[]): Entry[] {
  const words = new Map<string, (readonly string[])[]>();
  for (const p of pairs) {
    const listed = words.get(p.word);
    if (listed === undefined) words.set(p.word, [p.phonemes]);
    else listed.push(p.phonemes);
  }
  return [...words].map(([word, pronunciations]) => ({ word, pronunciations }));
}

/**
 * Word → pronunciations: CMUdict without stress marks (39 phonemes, the usual benchmark
 * set), or a CSV file's word and space-separated phoneme columns (a word on several rows
 * has several pronunciations). Words are lowercased: spelling case says nothing about
 * sound here. CMUdict's split is datasets' fixed hash of the spelling (5% validation, 5%
 * test words, the same in every run and for every alternate); a file's is `splitRows`
 * over its words in order of appearance.
 */
export async function loadPronunciations(source: DataSource): Promise<Pronunciations> {
  if (source.kind === 'dataset') {
    const dict = await cmudict({ alternates: 'all', stress: false });
    // A word's primary pronunciation (variant 0) fixes its place, so the first pronunciations
    // come in the order `alternates: 'first'` gives them.
    const convert = (pairs: readonly { word: string; phonemes: readonly string[]; variant: number }[]) =>
      byWord(
        [
          ...pairs.filter((p) => p.variant === 0),
          ...pairs.filter((p) => p.variant !== 0).sort((a, b) => a.variant - b.variant),
        ].map((p) => ({ word: p.word.toLowerCase(), phonemes: p.phonemes })),
      );
    return { train: convert(dict.train), validation: convert(dict.validation), test: convert(dict.test) };
  }
  const wordColumn = source.textColumn ?? 'word';
  const phonemeColumn = source.labelColumn ?? 'phonemes';
  const table = await readCsvFile(
    source.path,
    [
      { name: wordColumn, option: '--text-column' },
      { name: phonemeColumn, option: '--label-column' },
    ],
    [],
  );
  const rows = table.rows.map((r, i) => {
    const word = String(r[wordColumn]).trim().toLowerCase();
    const phonemes = String(r[phonemeColumn]).trim().split(/\s+/).filter(Boolean);
    if (word === '' || phonemes.length === 0) {
      throw new CliError(
        `${source.path}:${table.lines[i]}: expected a word and its phonemes, found '${word}' and '${phonemes.join(' ')}'`,
      );
    }
    return { word, phonemes };
  });
  return splitRows(byWord(rows), source.path);
}
