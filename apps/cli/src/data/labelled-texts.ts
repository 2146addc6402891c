import { spamAssassin } from '@recur/datasets';
import { CliError } from '../errors.js';
import type { DataSource } from '../settings.js';
import { readCsvFile, splitRows } from './files.js';

export interface LabelledText {
  readonly text: string;
  /** Index into `classes`. */
  readonly label: number;
}

export interface LabelledTexts {
  readonly classes: readonly string[];
  /** The class F1 is reported for (binary tasks), e.g. spam. */
  readonly positive: number | undefined;
  readonly train: readonly LabelledText[];
  readonly validation: readonly LabelledText[];
  readonly test: readonly LabelledText[];
}

/**
 * An email as the classifier reads it: the headers people read (Subject, From, the
 * content type) then the body. Transport headers (Received, Message-Id, …) are dropped:
 * they say which mail server and which week an email came through, not what it is.
 */
export function emailText(raw: string): string {
  const cut = raw.search(/\r?\n\r?\n/);
  const head = cut < 0 ? raw : raw.slice(0, cut);
  const body = cut < 0 ? '' : raw.slice(cut).trim();
  // Header fields continue on lines that start with white space (RFC 5322 §2.2.3).
  const fields = head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/);
  const pick = (name: string) =>
    fields
      .find((f) => f.toLowerCase().startsWith(`${name}:`))
      ?.slice(name.length + 1)
      .trim() ?? '';
  const type = pick('content-type').split(';')[0] ?? '';
  return `subject: ${pick('subject')}\nfrom: ${pick('from')}\ntype: ${type}\n\n${body}`;
}

export async function loadLabelledTexts(source: DataSource): Promise<LabelledTexts> {
  if (source.kind === 'dataset') {
    const spam = await spamAssassin();
    const convert = (emails: readonly { text: string; label: 0 | 1 }[]) =>
      emails.map((e) => ({ text: emailText(e.text), label: e.label }));
    return {
      classes: ['ham', 'spam'],
      positive: 1,
      train: convert(spam.train),
      validation: convert(spam.validation),
      test: convert(spam.test),
    };
  }
  const textColumn = source.textColumn ?? 'text';
  const labelColumn = source.labelColumn ?? 'label';
  const table = await readCsvFile(
    source.path,
    [
      { name: textColumn, option: '--text-column' },
      { name: labelColumn, option: '--label-column' },
    ],
    [],
  );
  const labels = table.rows.map((r) => String(r[labelColumn]).trim());
  const classes = [...new Set(labels)].sort();
  if (classes.length < 2) {
    throw new CliError(
      `${source.path}: column '${labelColumn}' holds one class (${classes[0] ?? 'none'}): a classifier needs at least two`,
    );
  }
  const rows = table.rows.map((r, i) => ({ text: String(r[textColumn]), label: classes.indexOf(labels[i] as string) }));
  const positive = classes.length === 2 ? (classes.includes('1') ? classes.indexOf('1') : 1) : undefined;
  return { classes, positive, ...splitRows(rows, source.path) };
}
