import { cmudict } from '@recur/datasets';
import { CliError } from '../errors.js';
import type { DataSource } from '../settings.js';
import { readCsvFile, splitRows } from './files.js';

export interface Pair {
  readonly word: string;
  readonly phonemes: readonly string[];
}

export interface Pronunciations {
  readonly train: readonly Pair[];
  readonly validation: readonly Pair[];
  readonly test: readonly Pair[];
}

/**
 * Word → phoneme pairs: CMUdict's first pronunciation of each word without stress marks
 * (39 phonemes, the usual benchmark set), or a CSV file's word and space-separated
 * phoneme columns. Words are lowercased: spelling case says nothing about sound here.
 */
export async function loadPronunciations(source: DataSource): Promise<Pronunciations> {
  if (source.kind === 'dataset') {
    const dict = await cmudict({ alternates: 'first', stress: false });
    const convert = (pairs: readonly { word: string; phonemes: readonly string[] }[]) =>
      pairs.map((p) => ({ word: p.word.toLowerCase(), phonemes: p.phonemes }));
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
  return splitRows(rows, source.path);
}
