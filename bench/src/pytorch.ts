/**
 * PyTorch as a peer in `pnpm bench`: finds a python3 that has torch, runs
 * bench/pytorch/workloads.py on the same workloads with the same timing rule, and reads
 * its JSON answer. Without torch (CI has only Node) the outcome is a one-line note,
 * never a failure of the benchmark.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RecurError } from '@recur/core';
import { z } from 'zod';
import type { MeasureOptions } from './measure.js';
import type { Workload } from './workloads.js';

/**
 * Debian's OpenBLAS built on OpenMP. Debian's torch links the generic `libblas.so.3`,
 * which the loader may resolve to the reference BLAS (~6 GFLOP/s here) or OpenBLAS'
 * pthread flavour (slow on two threads here); this folder's copy gives torch its best
 * 1- and 2-thread rates, so it goes first on LD_LIBRARY_PATH when it is installed.
 */
export const OPENBLAS_OPENMP = '/usr/lib/x86_64-linux-gnu/openblas-openmp';

/** The script that runs the workloads in PyTorch. */
export const PYTORCH_SCRIPT = fileURLToPath(new URL('../pytorch/workloads.py', import.meta.url));

/** What the script is asked to measure. */
export interface PytorchRequest {
  readonly workloads: readonly Workload[];
  /** `torch.set_num_threads` values, each measured in turn. */
  readonly threads: readonly number[];
  readonly budget: MeasureOptions;
}

const answerSchema = z.object({
  torch: z.string(),
  python: z.string(),
  blas: z.string(),
  matmulGflops: z.record(z.string(), z.number().positive()),
  records: z.array(
    z.object({
      workload: z.string(),
      threads: z.number().int().positive(),
      trainMs: z.number().positive(),
      forwardMs: z.number().positive(),
    }),
  ),
});

/** The script's answer: versions, the BLAS it loaded, 1024×1024 product rates by thread count, timings. */
export type PytorchAnswer = z.infer<typeof answerSchema>;

/** What running PyTorch came to; `note` is one line for people. */
export type PytorchOutcome =
  | { readonly status: 'measured'; readonly python: string; readonly answer: PytorchAnswer }
  | { readonly status: 'skipped'; readonly note: string }
  | { readonly status: 'failed'; readonly note: string };

/** One finished child process; `error` is set when it could not start (ENOENT) or was killed. */
export interface ProcessResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly error?: Error;
}

/** Runs a command to completion; the default spawns it, tests pass fakes. */
export type ProcessRunner = (
  command: string,
  args: readonly string[],
  options: { readonly env: NodeJS.ProcessEnv; readonly input?: string; readonly echoStderr?: boolean },
) => Promise<ProcessResult>;

/** The pythons to try, in order: `RECUR_PYTHON` alone when set, else Debian's then the PATH's. */
export function pythonCandidates(env: NodeJS.ProcessEnv): string[] {
  const chosen = env.RECUR_PYTHON?.trim();
  return chosen ? [chosen] : ['/usr/bin/python3', 'python3'];
}

/** `env` with the OpenMP OpenBLAS folder first on LD_LIBRARY_PATH, when that folder exists. */
export function pytorchEnv(env: NodeJS.ProcessEnv, exists: (path: string) => boolean = existsSync): NodeJS.ProcessEnv {
  if (!exists(OPENBLAS_OPENMP)) return { ...env };
  const rest = env.LD_LIBRARY_PATH ? `${delimiter}${env.LD_LIBRARY_PATH}` : '';
  return { ...env, LD_LIBRARY_PATH: `${OPENBLAS_OPENMP}${rest}` };
}

/** Parses and checks the script's stdout against the request: every workload × thread count answered once. */
export function parsePytorchAnswer(text: string, request: PytorchRequest): PytorchAnswer {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new RecurError('BAD_DATA', `PyTorch answer: expected JSON on stdout, got ${excerpt(text)}`, { cause });
  }
  const parsed = answerSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') || '(root)';
    throw new RecurError('BAD_DATA', `PyTorch answer: ${where}: ${issue?.message ?? 'invalid'}`);
  }
  const answer = parsed.data;
  for (const w of request.workloads) {
    for (const threads of request.threads) {
      const found = answer.records.filter((r) => r.workload === w.id && r.threads === threads).length;
      if (found !== 1) {
        throw new RecurError(
          'BAD_DATA',
          `PyTorch answer: records: expected one record for ${w.id} on ${threads} thread(s), got ${found}`,
        );
      }
    }
  }
  return answer;
}

/**
 * Runs the workloads in PyTorch, or says in one line why not. A missing python or torch
 * is `skipped`; a python with torch whose run breaks is `failed` with the error's last
 * line, so a long benchmark still reports its other peers.
 */
export async function runPytorch(
  request: PytorchRequest,
  options: { env?: NodeJS.ProcessEnv; run?: ProcessRunner; exists?: (path: string) => boolean; script?: string } = {},
): Promise<PytorchOutcome> {
  checkRequest(request);
  const { run = spawnProcess, script = PYTORCH_SCRIPT } = options;
  const env = pytorchEnv(options.env ?? process.env, options.exists);
  const tried: string[] = [];
  for (const python of pythonCandidates(env)) {
    const probe = await run(python, ['-c', 'import torch; print(torch.__version__)'], { env });
    if (probe.error !== undefined || probe.code !== 0) {
      tried.push(`${python}: ${probe.error !== undefined ? startError(probe.error) : lastLine(probe.stderr)}`);
      continue;
    }
    const result = await run(python, [script], { env, input: JSON.stringify(request), echoStderr: true });
    if (result.error !== undefined || result.code !== 0) {
      return { status: 'failed', note: `PyTorch run failed (${python}): ${lastLine(result.stderr) || result.error}` };
    }
    try {
      return { status: 'measured', python, answer: parsePytorchAnswer(result.stdout, request) };
    } catch (error) {
      return { status: 'failed', note: `PyTorch run failed (${python}): ${(error as Error).message}` };
    }
  }
  const hint = env.RECUR_PYTHON ? '' : '; set RECUR_PYTHON to a python that has it';
  return { status: 'skipped', note: `PyTorch skipped: no python with torch (${tried.join('; ')})${hint}` };
}

function checkRequest(request: PytorchRequest): void {
  if (request.workloads.length === 0) {
    throw new RecurError('BAD_CONFIG', 'runPytorch: request.workloads: expected at least one workload, got none');
  }
  if (request.threads.length === 0) {
    throw new RecurError('BAD_CONFIG', 'runPytorch: request.threads: expected at least one thread count, got none');
  }
  for (const threads of request.threads) {
    if (!Number.isInteger(threads) || threads < 1) {
      throw new RecurError('BAD_CONFIG', `runPytorch: request.threads: expected integers ≥ 1, got ${threads}`);
    }
  }
}

const spawnProcess: ProcessRunner = (command, args, { env, input, echoStderr = false }) =>
  new Promise((resolve) => {
    const child = spawn(command, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    // The script reports each figure as it goes; a long run shows its progress live.
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      if (echoStderr) process.stderr.write(chunk);
    });
    child.on('error', (error) => resolve({ code: null, stdout, stderr, error }));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    // A child that exits before reading its input closes the pipe: that is its error to report, not ours.
    child.stdin.on('error', () => {});
    child.stdin.end(input ?? '');
  });

function startError(error: Error): string {
  return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : error.message;
}

function lastLine(text: string): string {
  return text.trim().split('\n').at(-1)?.trim() ?? '';
}

function excerpt(text: string): string {
  const line = text.trim().slice(0, 80);
  return line === '' ? 'nothing' : `'${line}${text.trim().length > 80 ? '…' : ''}'`;
}
