/**
 * How many threads a backend's fused kernels may use here, and why: the requested count,
 * capped by what the environment allows (worker threads, shared memory, a thread allowed
 * to block). Shared by the cpu and wasm plug-ins, whose pools differ.
 */
import { badArgument } from '../errors.js';

/** The most threads a pool takes: more than any machine Recur targets, few enough for the control block. */
export const MAX_THREADS = 64;

/** A thread count and the reason for it, as `capabilities()` reports them. */
export interface ThreadPlan {
  readonly count: number;
  readonly reason: string;
}

interface Globals {
  readonly process?: { readonly versions?: { readonly node?: string } };
  readonly navigator?: { readonly hardwareConcurrency?: number };
  readonly crossOriginIsolated?: boolean;
  readonly document?: unknown;
}

const globals = globalThis as Globals;

/** Whether this is Node (worker_threads), as opposed to a browser or a Web Worker. */
export const inNode = (): boolean => globals.process?.versions?.node !== undefined;

/** Throws `RecurError('BAD_CONFIG')` unless `threads` is undefined or an integer in [1, MAX_THREADS]. */
export function checkThreads(argument: string, threads: unknown): number | undefined {
  if (threads === undefined) return undefined;
  if (typeof threads !== 'number' || !Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS) {
    throw badArgument(
      'BAD_CONFIG',
      argument,
      `an integer from 1 to ${MAX_THREADS}, or undefined for the cores available`,
      threads,
    );
  }
  return threads;
}

async function nodeCores(): Promise<number> {
  // A variable specifier keeps browser bundlers from resolving a Node built-in.
  const specifier = 'node:os';
  const os = (await import(/* @vite-ignore */ specifier)) as { availableParallelism(): number };
  return os.availableParallelism();
}

/**
 * The plan for `requested` threads (undefined: the cores available). In a browser the
 * pool needs `SharedArrayBuffer` (a cross-origin-isolated page) and a thread that may
 * block in `Atomics.wait` while the others run: tfjs' kernels are synchronous, so the
 * calling thread cannot await its helpers, and a page's main thread may not block. So
 * threads run only where tfjs itself runs in a Web Worker; on a main thread, one.
 */
export async function planThreads(requested: number | undefined): Promise<ThreadPlan> {
  if (typeof SharedArrayBuffer === 'undefined' || typeof Atomics === 'undefined') {
    return { count: 1, reason: 'no SharedArrayBuffer (in a browser: the page is not cross-origin isolated)' };
  }
  let cores: number;
  if (inNode()) {
    cores = await nodeCores();
  } else {
    if (globals.crossOriginIsolated === false) return { count: 1, reason: 'the page is not cross-origin isolated' };
    if (globals.document !== undefined) {
      return { count: 1, reason: "a page's main thread may not block in Atomics.wait: run tfjs in a Web Worker" };
    }
    cores = globals.navigator?.hardwareConcurrency ?? 1;
  }
  if (requested !== undefined) return { count: requested, reason: `threads: ${requested} as requested` };
  return { count: Math.max(1, Math.min(cores, MAX_THREADS)), reason: `${cores} cores available` };
}
