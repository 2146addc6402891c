/**
 * Where a command writes. Results go to `out` (stdout, so they can be piped); progress,
 * notes and errors to `err` (stderr). Tests pass their own to run `main` in-process.
 */
export interface Io {
  readonly out: Writable;
  readonly err: Writable;
  /** Draw progress bars (a terminal); otherwise progress is a line every few seconds. */
  readonly tty: boolean;
  /** The folder relative paths are read from (and `bench` looks for the workspace from). */
  readonly cwd: string;
}

export interface Writable {
  write(text: string): unknown;
}

export function processIo(): Io {
  return {
    out: process.stdout,
    err: process.stderr,
    tty: process.stderr.isTTY === true && process.env.CI === undefined,
    cwd: process.cwd(),
  };
}

/** `line` and a newline. */
export function println(stream: Writable, line = ''): void {
  stream.write(`${line}\n`);
}
