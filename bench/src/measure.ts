/**
 * This process's CPU time (user + system) in milliseconds: on a machine shared with other
 * work it counts the cycles spent here, where wall time also counts the waits for a core.
 */
export function cpuClockMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** How `medianMs` times a call; bench/pytorch/workloads.py follows the same rule. */
export interface MeasureOptions {
  /** Untimed calls first. */
  readonly warmup: number;
  /**
   * More untimed calls while the warm-up has taken less than this (wall time): a
   * millisecond-long step called once has not been optimized by the engine yet (W3's first
   * 20 steps after one warm-up call ran 1.5 ms on wasm, later ones 0.8).
   */
  readonly warmupMs?: number;
  /** Timed calls at least. */
  readonly minReps: number;
  /** Timed calls at most. */
  readonly maxReps: number;
  /** More timed calls (up to `maxReps`) while the timed ones have taken less than this (wall time). */
  readonly budgetMs: number;
  /** The clock each call is timed by, in ms (default: wall time; `cpuClockMs` for CPU time). */
  readonly clock?: () => number;
}

const DEFAULTS: Required<MeasureOptions> = {
  warmup: 1,
  warmupMs: 0,
  minReps: 3,
  maxReps: 20,
  budgetMs: 3000,
  clock: () => performance.now(),
};

/** Median time of `fn` in milliseconds by `clock`, after `warmup` calls and `warmupMs`; at least `minReps` timed calls, more while under `budgetMs`. */
export async function medianMs(
  fn: () => unknown | Promise<unknown>,
  options: Partial<MeasureOptions> = {},
): Promise<number> {
  const { warmup, warmupMs, minReps, maxReps, budgetMs, clock } = { ...DEFAULTS, ...options };
  const warming = performance.now();
  for (let i = 0; i < warmup || performance.now() - warming < warmupMs; i++) await fn();
  const times: number[] = [];
  const start = performance.now();
  while (times.length < minReps || (times.length < maxReps && performance.now() - start < budgetMs)) {
    const t0 = clock();
    await fn();
    times.push(clock() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] as number;
}
