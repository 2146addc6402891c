import { readdir, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { RecurError } from '@recur/core';
import type { Checkpoint } from '@recur/train';
import { loadCheckpoint } from '@recur/train/node';
import { z } from 'zod';
import { CliError } from '../errors.js';
import { CHECKPOINT_FILE, type StoredSettings, storedSettingsSchema, TASK_NAMES, type TaskName } from '../settings.js';
import { TASKS } from '../tasks/tasks.js';

export const MODEL_FORMAT = 'recur-cli-model';
/** 2: weights named by the layers' param paths, settings per task, no data path. */
export const MODEL_VERSION = 2;

/**
 * What a model file holds besides weights (the checkpoint's `config`): enough to rebuild
 * the model and its preprocessing with no other file, so one atomic rename publishes all
 * of it together. It is data only: nothing in it names a file to read.
 */
export interface ModelFileConfig {
  readonly format: typeof MODEL_FORMAT;
  readonly version: typeof MODEL_VERSION;
  readonly task: TaskName;
  /** The task's model config: every number that fixes the weights' shapes. */
  readonly net: unknown;
  /** Tokenizer, scaler, class names, symbol tables: whatever turns data into model inputs and back. */
  readonly preprocessing: unknown;
  readonly settings: StoredSettings;
}

export interface ModelFile {
  readonly path: string;
  readonly checkpoint: Checkpoint;
  readonly config: ModelFileConfig;
}

const configSchema = z.strictObject({
  format: z.literal(MODEL_FORMAT),
  version: z.literal(MODEL_VERSION),
  task: z.enum(TASK_NAMES),
  net: z.record(z.string(), z.unknown()),
  preprocessing: z.record(z.string(), z.unknown()),
  settings: storedSettingsSchema,
});

/** Keys that would reach an object's prototype if copied about: refused anywhere in a config. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** The path (`settings.source`) of the first prototype-named key in `value`, if any. */
function prototypeKey(value: unknown, path: string): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  for (const key of Object.keys(value)) {
    const at = path === '' ? key : `${path}.${key}`;
    if (PROTOTYPE_KEYS.has(key)) return at;
    const inner = prototypeKey((value as Record<string, unknown>)[key], at);
    if (inner !== undefined) return inner;
  }
  return undefined;
}

/** The first problem zod found, as `where: field: what`. */
function firstIssue(error: z.ZodError, where: string): string {
  const issue = error.issues[0];
  const field = issue === undefined || issue.path.length === 0 ? 'config' : issue.path.join('.');
  return `${where}: ${field}: ${issue?.message ?? 'invalid'}`;
}

/**
 * Checks a checkpoint's config against the model file schema: format, version, the
 * task's settings and its preprocessing, with no prototype-named key anywhere. One
 * line says what is wrong; nothing of an unchecked config is used.
 */
export function checkModelConfig(config: unknown, path: string): ModelFileConfig {
  if ((config as { format?: unknown } | null)?.format !== MODEL_FORMAT) {
    throw new CliError(
      `${path} is a Recur checkpoint but not a model saved by 'recur train': train one with 'recur train <task>'`,
    );
  }
  const version = (config as { version?: unknown }).version;
  if (version !== MODEL_VERSION) {
    throw new CliError(
      `${path} has model format version ${String(version)}; this recur reads version ${MODEL_VERSION}: train again`,
    );
  }
  const bad = prototypeKey(config, '');
  if (bad !== undefined) throw new CliError(`${path}: the model config holds a key named '${bad}': refused`);
  const parsed = configSchema.safeParse(config);
  if (!parsed.success) throw new CliError(`${firstIssue(parsed.error, path)} (the model file is damaged or crafted)`);
  const { task, settings, preprocessing } = parsed.data;
  if (settings.task !== task) throw new CliError(`${path}: settings.task '${settings.task}' is not the task '${task}'`);
  const pre = TASKS[task].preprocessing.safeParse(preprocessing);
  if (!pre.success) {
    const issue = pre.error.issues[0];
    throw new CliError(
      `${path}: preprocessing.${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'} (the model file is damaged or crafted)`,
    );
  }
  return { ...parsed.data, preprocessing: pre.data };
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
  const bad = prototypeKey(checkpoint.weights, 'weights');
  if (bad !== undefined) throw new CliError(`${path}: the model holds a tensor named '${bad}': refused`);
  return { path, checkpoint, config: checkModelConfig(checkpoint.config, path) };
}

/**
 * Removes the temporary files saves of `path` left: this process's own (`'mine'`), or
 * those of every process no longer running (`'dead'`: runs killed in the middle of a
 * save), so no partial file stays behind.
 */
export async function removeTemporaries(path: string, whose: 'mine' | 'dead' = 'mine'): Promise<string[]> {
  const dir = dirname(path);
  const prefix = `${basename(path)}.tmp-`;
  const names = await readdir(dir).catch(() => [] as string[]);
  const stale = names.filter((n) => {
    if (!n.startsWith(prefix)) return false;
    const owner = Number(n.slice(prefix.length).split('-')[0]);
    return whose === 'mine' ? owner === process.pid : !isRunning(owner);
  });
  await Promise.all(stale.map((n) => rm(join(dir, n), { force: true })));
  return stale;
}

function isRunning(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
