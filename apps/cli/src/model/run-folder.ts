import { constants, unlinkSync } from 'node:fs';
import { access, mkdir, open, readFile, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { CliError } from '../errors.js';
import { removeTemporaries } from './model-file.js';

/** The lock file a training run holds in its folder. */
export const LOCK_FILE = 'train.lock';

interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly started: string;
}

/**
 * Checks, before any data is read or anything written, that a run may use the folder of
 * the model file `path`: it is a folder (or can be made as one) that can be written to,
 * and it holds no model unless the run resumes it or was told to overwrite it.
 */
export async function checkRunFolder(
  path: string,
  options: { readonly resume: boolean; readonly overwrite: boolean },
): Promise<void> {
  const dir = dirname(path);
  let existing = dir;
  for (;;) {
    const info = await stat(existing).catch(() => undefined);
    if (info !== undefined) {
      if (!info.isDirectory()) {
        throw new CliError(
          `--checkpoint-dir ${dir} cannot be used: ${existing} is a file, not a folder; pass another --checkpoint-dir`,
        );
      }
      break;
    }
    const up = dirname(existing);
    if (up === existing) break;
    existing = up;
  }
  await access(existing, constants.W_OK).catch(() => {
    throw new CliError(`--checkpoint-dir ${dir} cannot be written (${existing} is not writable): pass another one`);
  });
  const model = await stat(path).catch(() => undefined);
  if (model !== undefined && !model.isFile())
    throw new CliError(`${path} is not a file: pass another --checkpoint-dir`);
  if (model !== undefined && !options.resume && !options.overwrite) {
    throw new CliError(
      `${dir} already holds a trained model: pass --resume to continue it, --overwrite to replace it, or another --checkpoint-dir`,
    );
  }
  if (model === undefined && options.resume) {
    throw new CliError(`no checkpoint to resume at ${path}: drop --resume to train afresh`);
  }
}

function lockError(dir: string, owner: LockOwner | undefined, lock: string): CliError {
  const who =
    owner === undefined ? 'another run' : `another run (pid ${owner.pid} on ${owner.host}, since ${owner.started})`;
  return new CliError(
    `${dir} is in use by ${who}: wait for it to end, or pass another --checkpoint-dir (if no run is alive, delete ${lock})`,
  );
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Makes the folder, takes its lock (an exclusive create: a second run on the same folder
 * is refused with who holds it; the lock of a run that died, same host and its process
 * gone, is taken over), and removes temporary files that killed runs left. Returns the
 * release, which also runs if the process exits first.
 */
export async function claimRunFolder(path: string): Promise<{ release(): Promise<void> }> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const lock = join(dir, LOCK_FILE);
  const me: LockOwner = { pid: process.pid, host: hostname(), started: new Date().toISOString() };
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(lock, 'wx');
      await handle.writeFile(`${JSON.stringify(me)}\n`);
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = await readFile(lock, 'utf8')
        .then((text) => JSON.parse(text) as LockOwner)
        .catch(() => undefined);
      const stale = owner !== undefined && owner.host === me.host && Number.isInteger(owner.pid) && !alive(owner.pid);
      if (!stale || attempt > 0) throw lockError(dir, owner, lock);
      await rm(lock, { force: true });
    }
  }
  // A second Ctrl-C or an uncaught error ends the process without the finally blocks.
  const onExit = () => {
    try {
      unlinkSync(lock);
    } catch {}
  };
  process.on('exit', onExit);
  await removeTemporaries(path, 'dead');
  return {
    async release() {
      process.off('exit', onExit);
      await rm(lock, { force: true });
    },
  };
}
