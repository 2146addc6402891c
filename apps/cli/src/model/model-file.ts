import { readdir, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { RecurError } from '@recur/core';
import type { Checkpoint } from '@recur/train';
import { loadCheckpoint } from '@recur/train/node';
import { CliError } from '../errors.js';
import { CHECKPOINT_FILE, TASK_NAMES, type TaskName, type TrainSettings } from '../settings.js';

export const MODEL_FORMAT = 'recur-cli-model';
export const MODEL_VERSION = 1;

/**
 * What a model file holds besides weights (the checkpoint's `config`): enough to rebuild
 * the model and its preprocessing with no other file, so one atomic rename publishes all
 * of it together.
 */
export interface ModelFileConfig {
  readonly format: typeof MODEL_FORMAT;
  readonly version: typeof MODEL_VERSION;
  readonly task: TaskName;
  /** The task's model config: every number that fixes the weights' shapes. */
  readonly net: unknown;
  /** Tokenizer, scaler, class names, thresholds: whatever turns data into model inputs and back. */
  readonly preprocessing: unknown;
  readonly settings: TrainSettings;
}

export interface ModelFile {
  readonly path: string;
  readonly checkpoint: Checkpoint;
  readonly config: ModelFileConfig;
}

/** `--model` / `--checkpoint-dir` as a file path: a folder means the `model.ckpt` in it. */
export function modelPath(given: string, cwd: string): string {
  const path = resolve(cwd, given);
  return given.endsWith('.ckpt') ? path : join(path, CHECKPOINT_FILE);
}

/** Reads and checks a model file written by `recur train`. */
export async function readModelFile(path: string): Promise<ModelFile> {
  const info = await stat(path).catch(() => undefined);
  if (info === undefined) {
    throw new CliError(
      `no model file at ${path}: train one with 'recur train <task>' or pass --model <folder or .ckpt>`,
    );
  }
  if (!info.isFile()) throw new CliError(`${path} is not a file: pass --model <folder or .ckpt file>`);
  let checkpoint: Checkpoint;
  try {
    checkpoint = await loadCheckpoint(path);
  } catch (error) {
    if (error instanceof RecurError) {
      throw new CliError(`${path}: ${error.message}; train again or pass another --model`, 1, { cause: error });
    }
    throw error;
  }
  const config = checkpoint.config as Partial<ModelFileConfig> | null;
  if (config?.format !== MODEL_FORMAT || typeof config.settings !== 'object') {
    throw new CliError(
      `${path} is a Recur checkpoint but not a model saved by 'recur train': train one with 'recur train <task>'`,
    );
  }
  if (config.version !== MODEL_VERSION) {
    throw new CliError(
      `${path} has model format version ${config.version}; this recur reads version ${MODEL_VERSION}: train again`,
    );
  }
  if (!(TASK_NAMES as readonly unknown[]).includes(config.task)) {
    throw new CliError(`${path} is for an unknown task '${String(config.task)}': train again`);
  }
  return { path, checkpoint, config: config as ModelFileConfig };
}

/**
 * Removes temporary files a save of `path` by this process left (`model.ckpt.tmp-PID-…`),
 * for when the process must stop in the middle of one: no partial file stays behind.
 */
export async function removeTemporaries(path: string): Promise<void> {
  const prefix = `${basename(path)}.tmp-${process.pid}-`;
  const names = await readdir(dirname(path)).catch(() => [] as string[]);
  await Promise.all(names.filter((n) => n.startsWith(prefix)).map((n) => rm(join(dirname(path), n), { force: true })));
}
