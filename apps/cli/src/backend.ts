import { cpu } from '@recur/backend-cpu';
import { wasm } from '@recur/backend-wasm';
import { type BackendPlugin, RecurError, useBackend } from '@recur/core';
import { CliError } from './errors.js';
import { type Io, println } from './io.js';

export const BACKEND_CHOICES = ['auto', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

const PLUGINS: Record<Exclude<BackendChoice, 'auto'>, BackendPlugin> = { wasm, cpu };

/**
 * Activates the backend asked for. `auto` means wasm (XNNPACK, SIMD, and Recur's fused
 * kernels: several times faster than cpu here) when it starts, else cpu. Which one runs is
 * always printed, and a fallback says why: never a silent switch, since every timing the
 * user reads depends on it.
 */
export async function startBackend(choice: BackendChoice, io: Io): Promise<string> {
  if (choice !== 'auto') {
    try {
      await useBackend(PLUGINS[choice]);
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
    println(io.err, `backend: ${choice}`);
    return choice;
  }
  try {
    await useBackend(wasm);
    println(io.err, 'backend: wasm (default; --backend cpu to change)');
    return 'wasm';
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    await useBackend(cpu);
    println(io.err, `backend: cpu (wasm did not start: ${why})`);
    return 'cpu';
  }
}
