import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { closestReferenceErrorRates, mae, rocAuc } from '@recur/train';
import { describe, expect, it } from 'vitest';
import { recur } from './helpers/cli.js';
import { anomalyCsv, classifyCsv, seriesCsv, tempDir, textFile } from './helpers/fixtures.js';

const TINY = ['--units', '8', '--batch', '4', '--max-steps', '4', '--seed', '3', '--checkpoint-dir', 'run'];

/** Unique words, every third with a second pronunciation (its last phoneme dropped): word,phonemes rows. */
async function alternatesCsv(dir: string): Promise<{ path: string; entries: Map<string, string[][]> }> {
  const entries = new Map<string, string[][]>();
  const lines = ['word,phonemes'];
  for (let i = 0; i < 80; i++) {
    const word = `${'abcdefgh'[i % 8]}${'abcdefgh'[Math.floor(i / 8) % 8]}${'ab'.slice(0, i % 3)}`;
    const phonemes = [...word].map((c) => c.toUpperCase().repeat(2));
    const listed = i % 3 === 0 ? [phonemes, phonemes.slice(0, -1)] : [phonemes];
    entries.set(word, listed);
    for (const p of listed) lines.push(`${word},${p.join(' ')}`);
  }
  const path = join(dir, 'alternates.csv');
  await writeFile(path, `${lines.join('\n')}\n`);
  return { path, entries };
}

const percentOf = (out: string, label: string, what: string) =>
  Number(new RegExp(`^${label}: .*?${what} (\\d+\\.\\d+)%`, 'm').exec(out)?.[1]);

describe('recur eval --predictions', () => {
  it('should write g2p outputs as WORD<TAB>phonemes that score to the reported rates against any listed pronunciation', async () => {
    const dir = await tempDir();
    const { path, entries } = await alternatesCsv(dir);
    const train = await recur(['train', 'g2p', '--file', path, ...TINY, '--all-pronunciations'], dir);
    expect(train.code).toBe(0);
    // Training reads each pronunciation: more pairs than words.
    expect(train.err).toMatch(/alternates\.csv: \d+ training pronunciations \/ 8 validation \/ 8 test words/);
    const evaluated = await recur(
      ['eval', '--model', 'run', '--file', path, '--beam', '1,3', '--predictions', 'g2p.tsv'],
      dir,
    );
    expect(evaluated.code).toBe(0);
    const lines = (await readFile(join(dir, 'g2p.tsv'), 'utf8')).trimEnd().split('\n');
    // The test words are every tenth word (splitRows over words in file order), all of them written.
    const words = [...entries.keys()].filter((_, i) => i % 10 === 9);
    expect(lines.map((l) => l.split('\t')[0])).toEqual(words);
    const hypotheses = lines.map((l) => (l.split('\t')[1] ?? '').split(' ').filter(Boolean));
    const rates = closestReferenceErrorRates(
      words.map((w) => entries.get(w) as string[][]),
      hypotheses,
    );
    // The file holds the widest beam's outputs.
    expect(percentOf(evaluated.out, 'beam 3', 'phoneme error rate')).toBeCloseTo(100 * rates.tokenErrorRate, 2);
    expect(percentOf(evaluated.out, 'beam 3', 'word error rate')).toBeCloseTo(100 * rates.sequenceErrorRate, 2);
    expect(evaluated.out).toMatch(/any listed pronunciation counts/);
    expect(await readdir(dir)).not.toContainEqual(expect.stringMatching(/\.tmp-/));
  });

  it('should write classify rows with class probabilities, and report the ROC AUC they give', async () => {
    const dir = await tempDir();
    // Every third row spam: the held-out rows (every tenth) hold both classes.
    const csv = await classifyCsv(dir, 60, 3);
    expect((await recur(['train', 'classify', '--file', csv, ...TINY, '--seq-length', '16'], dir)).code).toBe(0);
    const evaluated = await recur(['eval', '--model', 'run', '--file', csv, '--predictions', 'texts.tsv'], dir);
    expect(evaluated.code).toBe(0);
    const [header, ...rows] = (await readFile(join(dir, 'texts.tsv'), 'utf8')).trimEnd().split('\n');
    expect(header).toBe('id\tlabel\tpredicted\tp_ham\tp_spam');
    const cells = rows.map((r) => r.split('\t'));
    expect(cells.map((c) => Number(c[0]))).toEqual(cells.map((_, i) => i + 1));
    for (const c of cells) {
      const [ham, spam] = [Number(c[3]), Number(c[4])];
      expect(ham + spam).toBeCloseTo(1, 5);
      expect(c[2]).toBe(spam > ham ? 'spam' : 'ham');
    }
    const right = cells.filter((c) => c[1] === c[2]).length / cells.length;
    expect(Number(/accuracy: (\d+\.\d+)%/.exec(evaluated.out)?.[1])).toBeCloseTo(100 * right, 2);
    const auc = rocAuc(
      cells.map((c) => Number(c[4])),
      cells.map((c) => (c[1] === 'spam' ? 1 : 0)),
    );
    expect(Number(/ROC AUC: (\d\.\d{4})/.exec(evaluated.out)?.[1])).toBeCloseTo(auc, 4);
  });

  it('should write one forecast row per value, with the actual value and the seasonal-naive forecast', async () => {
    const dir = await tempDir();
    const csv = await seriesCsv(dir);
    const flags = ['--columns', 'value', '--seq-length', '14', '--season', '7', '--lag', '7'];
    expect((await recur(['train', 'forecast', '--file', csv, ...TINY, ...flags], dir)).code).toBe(0);
    const evaluated = await recur(['eval', '--model', 'run', '--file', csv, '--predictions', 'f.tsv'], dir);
    expect(evaluated.code).toBe(0);
    const [header, ...rows] = (await readFile(join(dir, 'f.tsv'), 'utf8')).trimEnd().split('\n');
    expect(header).toBe('origin\tahead\trow\tforecast\tactual\tseasonal_naive');
    const cells = rows.map((r) => r.split('\t').map(Number));
    expect(cells.every(([origin, ahead, row]) => row === (origin as number) + (ahead as number) - 1)).toBe(true);
    const reported = /held-out MAE: (\d+\.\d) \(seasonal-naive: (\d+\.\d)\)/.exec(evaluated.out);
    expect(Number(reported?.[1])).toBeCloseTo(
      mae(
        cells.map((c) => c[3] as number),
        cells.map((c) => c[4] as number),
      ),
      1,
    );
    expect(Number(reported?.[2])).toBeCloseTo(
      mae(
        cells.map((c) => c[5] as number),
        cells.map((c) => c[4] as number),
      ),
      1,
    );
  });

  it('should write one anomaly row per test reading whose flags give the reported precision and recall', async () => {
    const dir = await tempDir();
    const csv = await anomalyCsv(dir);
    const flags = ['--columns', 'a,b', '--label-column', 'anomaly', '--seq-length', '8'];
    expect((await recur(['train', 'anomaly', '--file', csv, ...TINY, ...flags], dir)).code).toBe(0);
    const evaluated = await recur(['eval', '--model', 'run', '--file', csv, '--predictions', 'a.tsv'], dir);
    expect(evaluated.code).toBe(0);
    const [header, ...rows] = (await readFile(join(dir, 'a.tsv'), 'utf8')).trimEnd().split('\n');
    expect(header).toBe('series\treading\tanomaly\tscore\tflagged');
    const cells = rows.map((r) => r.split('\t'));
    const reported = /forecaster .*?(\d+) of (\d+) anomalies, (\d+) false alarms/.exec(evaluated.out);
    expect(cells.length).toBe(Number(/([\d,]+) test readings/.exec(evaluated.out)?.[1]?.replace(/,/g, '')));
    const count = (anomaly: string, flagged: string) =>
      cells.filter((c) => c[2] === anomaly && c[4] === flagged).length;
    expect([count('1', '1'), count('1', '1') + count('1', '0'), count('0', '1')]).toEqual(
      reported?.slice(1).map(Number),
    );
    // The first look-back readings of a series have no score and are never flagged.
    for (const c of cells.filter((c) => Number(c[1]) <= 8)) expect([c[3], c[4]]).toEqual(['', '0']);
    expect(cells.filter((c) => Number(c[1]) > 8).every((c) => Number.isFinite(Number(c[3])) && c[3] !== '')).toBe(true);
  });

  it('should refuse a task without a table and bad paths before evaluating, writing nothing', async () => {
    const dir = await tempDir();
    const text = await textFile(dir);
    expect((await recur(['train', 'char-lm', '--file', text, ...TINY, '--seq-length', '8'], dir)).code).toBe(0);
    const lm = await recur(['eval', '--model', 'run', '--file', text, '--predictions', 'lm.tsv'], dir);
    expect(lm.code).toBe(2);
    expect(lm.err).toMatch(/error: --predictions: a char-lm model writes no table: .*bits per character/);
    expect(lm.out).toBe('');
    const csv = await classifyCsv(dir);
    await recur(['train', 'classify', '--file', csv, ...TINY, '--overwrite', '--seq-length', '16'], dir);
    const missing = await recur(['eval', '--model', 'run', '--file', csv, '--predictions', 'nowhere/p.tsv'], dir);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/error: --predictions .*p\.tsv: the folder .*nowhere does not exist/);
    const folder = await recur(['eval', '--model', 'run', '--file', csv, '--predictions', '.'], dir);
    expect(folder.code).toBe(1);
    expect(folder.err).toMatch(/is a folder: give a file name/);
    expect(missing.out + folder.out).toBe('');
    expect((await readdir(dir)).filter((f) => f.endsWith('.tsv'))).toEqual([]);
  });
});
