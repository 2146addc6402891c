import { Rng } from '@recur/core';
import type { ParamTree } from '@recur/layers';
import { CliError } from '../errors.js';
import type { Io } from '../io.js';
import type { ModelFile } from '../model/model-file.js';
import { fromStored, leaves } from '../model/params.js';
import { type DataSource, SETTING_FLAGS, type SettingsOf, type TaskName, type TrainSettings } from '../settings.js';
import type { SessionUse, Task, TaskSession } from '../tasks/task.js';
import { TASKS } from '../tasks/tasks.js';

/**
 * Opens a model file's task with the stored preprocessing and weights. The data it reads
 * come from the command line only: `dataFile` (`eval --file`), or the packaged dataset
 * the model names; `generate` reads none.
 */
export async function openModel(
  file: ModelFile,
  io: Io,
  use: Exclude<SessionUse, 'train'>,
  dataFile?: string,
): Promise<{ session: TaskSession<unknown>; params: ParamTree; dispose(): void }> {
  const { config } = file;
  const task = TASKS[config.task] as unknown as Task<TaskName>;
  const settings = { ...config.settings, source: dataSource(file, use, dataFile) } as SettingsOf<TaskName>;
  const session = await task.open({ settings, io, saved: config.preprocessing, use });
  try {
    checkSameNet(file, session.net);
    const params = fromStored(session.init(new Rng(0)) as ParamTree, file.checkpoint.weights, file.path);
    return {
      session,
      params,
      dispose() {
        for (const [, t] of leaves(params)) t.dispose();
        session.dispose();
      },
    };
  } catch (error) {
    session.dispose();
    throw error;
  }
}

/** The data `eval` reads: the `--file` given (with the columns the model was trained on), or the model's dataset. */
function dataSource(file: ModelFile, use: Exclude<SessionUse, 'train'>, dataFile: string | undefined): DataSource {
  const stored = file.config.settings.source;
  if (stored.kind === 'dataset') {
    if (dataFile !== undefined) {
      throw new CliError(
        `${file.path} was trained on the ${stored.name} dataset, not a file: drop --file to evaluate on it`,
      );
    }
    return stored;
  }
  const { kind: _, fileName, ...columns } = stored;
  if (dataFile === undefined) {
    if (use === 'generate') return { kind: 'file', path: '', ...columns };
    throw new CliError(
      `${file.path} was trained on a file (${fileName}): pass the data to evaluate on with --file <path> (same columns)`,
    );
  }
  return { kind: 'file', path: dataFile, ...columns };
}

/** The model a file's config describes must be the one its task builds from it. */
export function checkSameNet(file: ModelFile, net: unknown): void {
  if (JSON.stringify(file.config.net) !== JSON.stringify(net)) {
    throw new CliError(
      `${file.path} was saved from a model of another shape (${JSON.stringify(file.config.net)}, expected ${JSON.stringify(net)}): train it again`,
    );
  }
}

/**
 * A resumed run must build the model the file holds: same task and the same shape
 * options. Says which option differs and how to fix it.
 */
export function checkResumable(file: ModelFile, settings: TrainSettings): void {
  const saved = file.config.settings as Record<string, unknown>;
  if (file.config.task !== settings.task) {
    throw new CliError(
      `${file.path} holds a ${file.config.task} model, not ${settings.task}: resume it with 'recur train ${file.config.task} --resume', or pick another --checkpoint-dir`,
    );
  }
  const asked = settings as unknown as Record<string, unknown>;
  for (const key of TASKS[settings.task].shape as readonly string[]) {
    if (saved[key] !== asked[key]) {
      const flag = SETTING_FLAGS[key] ?? key;
      const shown = (value: unknown) => (value === undefined ? 'none' : String(value));
      const fix = saved[key] === undefined ? `without ${flag}` : `with ${flag} ${String(saved[key])}`;
      throw new CliError(
        `${file.path} is a checkpoint from another model shape (${flag} ${shown(saved[key])}, this run asks for ${shown(asked[key])}): resume ${fix}, or drop --resume to train afresh`,
      );
    }
  }
}
