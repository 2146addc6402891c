import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CliError, EXIT } from '../errors.js';
import { type Io, println } from '../io.js';

interface BenchPlan {
  readonly cwd: string;
  readonly command: string;
  readonly args: readonly string[];
}

/** The name of Recur's root package: `recur bench` runs benchmarks only in a Recur checkout. */
export const RECUR_WORKSPACE = 'recur-monorepo';

interface PackageJson {
  readonly name?: unknown;
  readonly scripts?: Record<string, string>;
}

async function packageJson(dir: string): Promise<PackageJson | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as PackageJson;
  } catch {
    return undefined;
  }
}

/** The folder holding `pnpm-workspace.yaml`, from `start` upwards. */
async function workspaceRoot(start: string): Promise<string | undefined> {
  let dir = resolve(start);
  for (;;) {
    const found = await readFile(join(dir, 'pnpm-workspace.yaml'), 'utf8').then(
      () => true,
      () => false,
    );
    if (found) return dir;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/**
 * What `recur bench` runs: the Recur workspace's `pnpm bench` (it builds the bench package
 * and runs every benchmark against its peers), or the bench package's own `bench` script.
 * The workspace is looked for from the working folder, then from where this CLI lives;
 * one whose root package is not Recur's is passed over, so no other project's script runs.
 */
export async function planBench(
  cwd: string,
  extra: readonly string[],
  here = dirname(fileURLToPath(import.meta.url)),
): Promise<BenchPlan> {
  const others: string[] = [];
  for (const start of [cwd, here]) {
    const root = await workspaceRoot(start);
    if (root === undefined) continue;
    const pkg = await packageJson(root);
    if (pkg?.name !== RECUR_WORKSPACE) {
      others.push(`${root} (${typeof pkg?.name === 'string' ? pkg.name : 'unnamed'})`);
      continue;
    }
    if (pkg.scripts?.bench !== undefined) return { cwd: root, command: 'pnpm', args: ['bench', ...extra] };
    if ((await packageJson(join(root, 'bench')))?.scripts?.bench !== undefined) {
      return { cwd: join(root, 'bench'), command: 'pnpm', args: ['run', 'bench', ...extra] };
    }
  }
  const skipped = others.length > 0 ? ` (not Recur's workspace: ${others.join(', ')})` : '';
  throw new CliError(
    `no Recur benchmarks found${skipped}: 'recur bench' runs the Recur repository's 'pnpm bench'; run it inside a clone of the repository`,
  );
}

export async function benchCommand(extra: readonly string[], dryRun: boolean, io: Io): Promise<number> {
  const plan = await planBench(io.cwd, extra);
  println(io.err, `running: ${plan.command} ${plan.args.join(' ')} (in ${plan.cwd})`);
  if (dryRun) return EXIT.ok;
  return new Promise((resolvePromise, reject) => {
    const child = spawn(plan.command, [...plan.args], { cwd: plan.cwd, stdio: 'inherit' });
    child.on('error', (error) =>
      reject(new CliError(`could not run ${plan.command}: ${error.message} (install pnpm: corepack enable pnpm)`)),
    );
    child.on('exit', (code, signal) => resolvePromise(signal !== null ? EXIT.interrupted : (code ?? EXIT.failure)));
  });
}
