// Node-only helpers (file system). The main entry stays browser-safe.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, normalize, sep } from 'node:path';
import { RecurError } from '@recur/core';
import type { TfjsModelFiles } from './tfjs-model.js';

/**
 * Reads a tfjs-layers model folder (`dir/model.json` and the shards its manifest
 * names). Throws `RecurError('CORRUPT_FILE')` naming a missing or unreadable file, or
 * a shard path that leaves the folder.
 */
export async function readTfjsFolder(dir: string): Promise<TfjsModelFiles> {
  const jsonPath = join(dir, 'model.json');
  let modelJson: Record<string, unknown>;
  try {
    modelJson = JSON.parse(await readFile(jsonPath, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new RecurError('CORRUPT_FILE', `${jsonPath}: cannot read it as JSON (${String(error)})`, { cause: error });
  }
  const paths = new Set<string>();
  const manifest = modelJson.weightsManifest;
  if (Array.isArray(manifest)) {
    for (const group of manifest as { paths?: unknown }[]) {
      if (Array.isArray(group?.paths)) for (const p of group.paths) if (typeof p === 'string') paths.add(p);
    }
  }
  const shards: Record<string, Uint8Array> = {};
  for (const p of paths) {
    const file = normalize(join(dir, p));
    if (!file.startsWith(normalize(dir) + sep))
      throw new RecurError('CORRUPT_FILE', `${jsonPath}: shard path '${p}' leaves the folder`);
    try {
      shards[p] = new Uint8Array(await readFile(file));
    } catch (error) {
      throw new RecurError('CORRUPT_FILE', `${jsonPath}: weight shard '${p}' is missing (${String(error)})`, {
        cause: error,
      });
    }
  }
  return { modelJson, shards };
}

/** Writes a model folder: each file to a temporary name, then renamed, so a reader never sees half a file. */
export async function writeTfjsFolder(dir: string, files: TfjsModelFiles): Promise<void> {
  await mkdir(dir, { recursive: true });
  const all: [string, string | Uint8Array][] = [
    ...Object.entries(files.shards),
    ['model.json', `${JSON.stringify(files.modelJson)}\n`],
  ];
  for (const [name, data] of all) {
    const target = join(dir, name);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(`${target}.tmp`, data);
    await rename(`${target}.tmp`, target);
  }
}
