import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeAtomic } from '../atomic-file.js';
import { CliError, usageError } from '../errors.js';
import type { TaskName } from '../settings.js';
import type { Predictions } from '../tasks/task.js';
import { TASKS } from '../tasks/tasks.js';

/**
 * Refuses `--predictions <path>` before any evaluation runs: a task without a table, a
 * folder that does not exist, or a path that is a folder.
 */
export async function checkPredictionsPath(path: string, task: TaskName): Promise<void> {
  const why = TASKS[task].noPredictions;
  if (why !== undefined) throw usageError(`--predictions: a ${task} model writes no table: ${why}`);
  const folder = await stat(dirname(path)).catch(() => undefined);
  if (folder === undefined || !folder.isDirectory()) {
    throw new CliError(`--predictions ${path}: the folder ${dirname(path)} does not exist: create it first`);
  }
  const existing = await stat(path).catch(() => undefined);
  if (existing?.isDirectory()) {
    throw new CliError(`--predictions ${path} is a folder: give a file name, e.g. ${path}/predictions.tsv`);
  }
}

/** A cell as TSV holds it: tabs and line breaks inside a value become spaces. */
function cell(value: string | number): string {
  return typeof value === 'number' ? String(value) : value.replace(/[\t\r\n]+/g, ' ');
}

/** Writes the table as tab-separated lines (header first, if any), atomically. */
export async function writePredictions(path: string, predictions: Predictions): Promise<void> {
  const lines = [...(predictions.header === undefined ? [] : [predictions.header]), ...predictions.rows].map(
    (row) => `${row.map(cell).join('\t')}\n`,
  );
  try {
    await writeAtomic(path, lines.join(''));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new CliError(`could not write --predictions ${path}: ${code}`, undefined, { cause: error });
  }
}
