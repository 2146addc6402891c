import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '@recur/core';

/** A fresh temporary folder for one test's files. */
export function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'recur-cli-test-'));
}

const WORDS = [
  'the',
  'whale',
  'sea',
  'ship',
  'captain',
  'white',
  'deep',
  'harpoon',
  'sailor',
  'wind',
  'and',
  'of',
  'a',
];

/** A few thousand characters of word salad with sentence structure: enough for a character model to start on. */
export async function textFile(dir: string, chars = 6000): Promise<string> {
  const rng = new Rng(3);
  let text = '';
  while (text.length < chars) {
    const n = 4 + rng.int(8);
    const sentence = Array.from({ length: n }, () => WORDS[rng.int(WORDS.length)]).join(' ');
    text += `${sentence[0]?.toUpperCase()}${sentence.slice(1)}. `;
  }
  const path = join(dir, 'book.txt');
  await writeFile(path, text);
  return path;
}

/**
 * Labelled texts: 'spam' rows (every `spamEvery`-th from the first) mention money and offers,
 * 'ham' rows the sea. Quoted, with commas inside.
 */
export async function classifyCsv(dir: string, rows = 60, spamEvery = 2): Promise<string> {
  const rng = new Rng(5);
  const spam = ['free', 'money', 'offer', 'click', 'win', 'cash'];
  const ham = ['meeting', 'ship', 'whale', 'notes', 'lunch', 'sea'];
  const lines = ['text,label'];
  for (let i = 0; i < rows; i++) {
    const label = i % spamEvery === 0 ? 'spam' : 'ham';
    const pool = label === 'spam' ? spam : ham;
    const words = Array.from({ length: 5 + rng.int(6) }, () => pool[rng.int(pool.length)]);
    lines.push(`"${words.slice(0, 3).join(' ')}, ${words.slice(3).join(' ')}",${label}`);
  }
  const path = join(dir, 'texts.csv');
  await writeFile(path, `${lines.join('\n')}\n`);
  return path;
}

/** A daily series with a weekly cycle and noise: date,value. */
export async function seriesCsv(dir: string, rows = 400): Promise<string> {
  const rng = new Rng(7);
  const lines = ['date,value'];
  for (let t = 0; t < rows; t++) {
    const value = 100 + 10 * Math.sin((2 * Math.PI * t) / 7) + 0.05 * t + rng.normal();
    lines.push(`day${t},${value.toFixed(3)}`);
  }
  const path = join(dir, 'series.csv');
  await writeFile(path, `${lines.join('\n')}\n`);
  return path;
}

/** Two smooth sensor channels with a few labelled spikes: a,b,anomaly. */
export async function anomalyCsv(dir: string, rows = 500): Promise<string> {
  const rng = new Rng(11);
  const lines = ['a,b,anomaly'];
  for (let t = 0; t < rows; t++) {
    const spike = t % 97 === 50;
    const a = Math.sin(t / 10) + 0.05 * rng.normal() + (spike ? 4 : 0);
    const b = Math.cos(t / 15) + 0.05 * rng.normal();
    lines.push(`${a.toFixed(4)},${b.toFixed(4)},${spike ? 1 : 0}`);
  }
  const path = join(dir, 'sensors.csv');
  await writeFile(path, `${lines.join('\n')}\n`);
  return path;
}

/** Words with made-up one-letter-per-phoneme pronunciations: word,phonemes. */
export async function pronunciationsCsv(dir: string, rows = 60): Promise<string> {
  const rng = new Rng(13);
  const letters = 'abcdefgh';
  const lines = ['word,phonemes'];
  for (let i = 0; i < rows; i++) {
    const word = Array.from({ length: 2 + rng.int(5) }, () => letters[rng.int(letters.length)]).join('');
    lines.push(`${word},${[...word].map((c) => c.toUpperCase() + c.toUpperCase()).join(' ')}`);
  }
  const path = join(dir, 'words.csv');
  await writeFile(path, `${lines.join('\n')}\n`);
  return path;
}
