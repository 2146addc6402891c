import { TASK_NAMES } from './settings.js';
import { TASKS } from './tasks/tasks.js';

/** The flags whose defaults differ by task, as `recur train --help` lists them. */
const COLUMNS = [
  ['--cell', 'cell'],
  ['--layers', 'layers'],
  ['--units', 'units'],
  ['--embedding-dim', 'embeddingDim'],
  ['--seq-length', 'seqLength'],
  ['--horizon', 'horizon'],
  ['--batch', 'batch'],
  ['--lr', 'learningRate'],
  ['--minutes', 'minutes'],
] as const;

/** A table of each task's defaults, for the help of `recur train` (whatever task is named). */
export function taskDefaultsHelp(): string {
  const rows = [
    ['task', ...COLUMNS.map(([flag]) => flag)],
    ...TASK_NAMES.map((task) => [task, ...COLUMNS.map(([, key]) => String(TASKS[task].defaults[key]))]),
  ];
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((row) => (row[c] as string).length))) ?? [];
  const lines = rows.map((row) => `  ${row.map((cell, c) => cell.padEnd(widths[c] as number)).join('  ')}`.trimEnd());
  return `\nDefaults by task (a flag overrides its default):\n${lines.join('\n')}\n`;
}
