import { cpuWith } from '@recur/backend-cpu';
import { wasmWith } from '@recur/backend-wasm';
import { type BackendPlugin, RecurError, useBackend } from '@recur/core';
import { CliError } from './errors.js';
import { type Io, println } from './io.js';

export const BACKEND_CHOICES = ['auto', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

/** `--backend` and `--threads`: which backend a command runs on, and how many threads its fused kernels use. */
export interface BackendRequest {
  readonly backend: BackendChoice;
  /** Threads of the fused kernels (default: the cores available). */
  readonly threads?: number;
}

function plugin(name: Exclude<BackendChoice, 'auto'>, threads: number | undefined): BackendPlugin {
  const options = threads === undefined ? {} : { threads };
  return name === 'wasm' ? wasmWith(options) : cpuWith(options);
}

/** `wasm, 2 threads`: the backend with the thread count its plug-in settled on. */
function describe(name: string, active: BackendPlugin): string {
  const { threads } = active.capabilities().details;
  return typeof threads === 'number' ? `${name}, ${threads} thread${threads === 1 ? '' : 's'}` : name;
}

/**
 * Activates the backend asked for. `auto` means wasm (XNNPACK, SIMD, and Recur's fused
 * kernels: several times faster than cpu here) when it starts, else cpu. Which one runs is
 * always printed, and a fallback says why: never a silent switch, since every timing the
 * user reads depends on it.
 */
export async function startBackend(request: BackendRequest, io: Io): Promise<string> {
  const choice = request.backend;
  if (choice !== 'auto') {
    const chosen = plugin(choice, request.threads);
    try {
      await useBackend(chosen);
    } catch (error) {
      const why = error instanceof RecurError ? error.message : String(error);
      throw new CliError(
        `backend '${choice}' did not start: ${why} (try --backend ${choice === 'wasm' ? 'cpu' : 'wasm'})`,
        1,
        {
          cause: error,
        },
      );
    }
    println(io.err, `backend: ${describe(choice, chosen)}`);
    return choice;
  }
  const wasm = plugin('wasm', request.threads);
  try {
    await useBackend(wasm);
    println(io.err, `backend: ${describe('wasm', wasm)} (default; --backend cpu to change)`);
    return 'wasm';
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    const cpu = plugin('cpu', request.threads);
    await useBackend(cpu);
    println(io.err, `backend: ${describe('cpu', cpu)} (wasm did not start: ${why})`);
    return 'cpu';
  }
}
