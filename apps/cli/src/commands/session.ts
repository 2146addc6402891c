import { Rng } from '@recur/core';
import type { ParamTree } from '@recur/layers';
import { CliError } from '../errors.js';
import type { Io } from '../io.js';
import type { ModelFile } from '../model/model-file.js';
import { fromStored, leaves } from '../model/params.js';
import { type DataSource, SHAPE_SETTINGS, type TrainSettings } from '../settings.js';
import type { TaskSession } from '../tasks/task.js';
import { TASKS } from '../tasks/tasks.js';

/** Opens a model file's task on its own data and preprocessing, with the stored weights. */
export async function openModel(
  file: ModelFile,
  io: Io,
  dataFile?: string,
): Promise<{ session: TaskSession<unknown>; params: ParamTree; dispose(): void }> {
  const { config } = file;
  const session = await TASKS[config.task].open({
    settings: { ...config.settings, source: dataSource(file, dataFile) },
    io,
    saved: config.preprocessing,
    forInference: true,
  });
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

/** The data a model was trained on, or the same kind of file at `dataFile` (a moved or new copy). */
function dataSource(file: ModelFile, dataFile: string | undefined): DataSource {
  const source = file.config.settings.source;
  if (dataFile === undefined) return source;
  if (source.kind !== 'file') {
    throw new CliError(
      `${file.path} was trained on the ${source.name} dataset, not a file: drop --file to evaluate on it`,
    );
  }
  return { ...source, path: dataFile };
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
  const saved = file.config.settings;
  if (file.config.task !== settings.task) {
    throw new CliError(
      `${file.path} holds a ${file.config.task} model, not ${settings.task}: resume it with 'recur train ${file.config.task} --resume', or pick another --checkpoint-dir`,
    );
  }
  for (const key of SHAPE_SETTINGS) {
    if (saved[key] !== settings[key]) {
      const flag = `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
      throw new CliError(
        `${file.path} is a checkpoint from another model shape (${flag} ${String(saved[key])}, this run asks for ${String(settings[key])}): resume with ${flag} ${String(saved[key])}, or drop --resume to train afresh`,
      );
    }
  }
}
