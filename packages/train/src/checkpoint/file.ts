import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { RecurError } from '@recur/core';
import { type Checkpoint, decodeCheckpoint, encodeCheckpoint } from './format.js';

/**
 * Writes a checkpoint atomically: to a temporary file in the same folder, flushed to
 * disk, then renamed over `path`. A crash or Ctrl-C at any moment leaves either the
 * previous checkpoint or the new one, never a partial file.
 */
export async function saveCheckpoint(path: string, checkpoint: Checkpoint): Promise<void> {
  const bytes = await encodeCheckpoint(checkpoint);
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    const handle = await open(tmp, 'w');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}

/** Reads and validates a checkpoint; `RecurError('CORRUPT_CHECKPOINT')` if it is damaged. */
export async function loadCheckpoint(path: string): Promise<Checkpoint> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (cause) {
    throw new RecurError('BAD_DATA', `checkpoint: cannot read '${path}': ${(cause as Error).message}`, { cause });
  }
  return decodeCheckpoint(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}
