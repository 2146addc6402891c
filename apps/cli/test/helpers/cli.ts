import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { wasm } from '@recur/backend-wasm';
import { useBackend } from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';
import { main } from '../../src/cli.js';
import type { Io } from '../../src/io.js';

export interface CliResult {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** The built command, as `pnpm recur` runs it. */
export const BUILT_CLI = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

/**
 * Runs `recur <args>` in this process with captured output, and checks that the command
 * left no tensor behind (models, data and decoders are all disposed when it returns).
 */
export async function recur(args: readonly string[], cwd: string): Promise<CliResult> {
  let out = '';
  let err = '';
  const io: Io = {
    out: { write: (s: string) => (out += s) },
    err: { write: (s: string) => (err += s) },
    tty: false,
    cwd,
  };
  // The backend the CLI picks by default, so that tensors can be counted before the first run.
  await useBackend(wasm);
  const before = tf.memory().numTensors;
  const code = await main(args, io);
  const after = tf.memory().numTensors;
  if (after !== before) throw new Error(`recur ${args.join(' ')} leaked ${after - before} tensors`);
  return { code, out, err };
}

/** Starts the built CLI as a child process (`node dist/main.js …`). */
export function spawnCli(args: readonly string[], cwd: string) {
  return spawn(process.execPath, [BUILT_CLI, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Runs the built CLI to the end. */
export function runBuilt(args: readonly string[], cwd: string): Promise<CliResult & { signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const child = spawnCli(args, cwd);
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? -1, signal, out, err }));
  });
}

/** The lines of stderr that report an error, and whether any stack frame was printed. */
export function errorLines(err: string): { errors: string[]; stack: boolean } {
  const lines = err.split('\n');
  return { errors: lines.filter((l) => l.startsWith('error:')), stack: lines.some((l) => /^\s+at /.test(l)) };
}
