import { RecurError } from '@recur/core';

/**
 * Exit codes: 2 for a command line that cannot run as written (unknown task, bad option),
 * 1 for input that fails at run time (missing file, bad data, a checkpoint that does not
 * fit), 130 for Ctrl-C (128 + SIGINT, as shells report it).
 */
export const EXIT = { ok: 0, failure: 1, usage: 2, interrupted: 130 } as const;

/** An error meant for the person at the terminal: one line that says what to do. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failure,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A command line that cannot run as written. */
export function usageError(message: string): CliError {
  return new CliError(message, EXIT.usage);
}

/** Ctrl-C during evaluation or generation: nothing to save, so it ends the command (exit 130). */
export function interruptedError(): CliError {
  return new CliError('interrupted', EXIT.interrupted);
}

/** What to do next, by RecurError code, when the library's message alone does not say. */
const HINTS: Partial<Record<RecurError['code'], string>> = {
  BACKEND_UNAVAILABLE: 'try --backend cpu',
  CORRUPT_CHECKPOINT: 'train again, or point --model at another file',
  NAN_LOSS: 'try a smaller --lr',
};

/**
 * The one line printed for `error`. A RecurError's message already names the argument,
 * the expected and the received value; anything else is a bug, so it says so.
 */
export function describeError(error: unknown): { line: string; exitCode: number } {
  if (error instanceof CliError) return { line: error.message, exitCode: error.exitCode };
  if (error instanceof RecurError) {
    const hint = HINTS[error.code];
    const message = firstLine(error.message);
    return { line: hint === undefined ? message : `${message} (${hint})`, exitCode: EXIT.failure };
  }
  const io = error as Partial<NodeJS.ErrnoException> | null;
  if (typeof io?.code === 'string' && /^E[A-Z]+$/.test(io.code) && typeof io.syscall === 'string') {
    // A system call failed (a file that cannot be read or written, a full disk): say which and where.
    const where = typeof io.path === 'string' ? ` ${io.path}` : '';
    return { line: `${io.syscall}${where} failed: ${io.code}`, exitCode: EXIT.failure };
  }
  const message = error instanceof Error ? firstLine(error.message) : String(error);
  return {
    line: `unexpected error: ${message} (run again with --verbose for the stack trace)`,
    exitCode: EXIT.failure,
  };
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}
