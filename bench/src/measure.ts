/**
 * This process's CPU time (user + system) in milliseconds: on a machine shared with other
 * work it counts the cycles spent here, where wall time also counts the waits for a core.
 */
export function cpuClockMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/**
 * Median time of `fn` in milliseconds by `clock` (default: wall time), after `warmup`
 * calls; at least `minReps` timed calls, more while under `budgetMs` of wall time.
 */
export async function medianMs(
  fn: () => unknown | Promise<unknown>,
  options: { warmup?: number; minReps?: number; maxReps?: number; budgetMs?: number; clock?: () => number } = {},
): Promise<number> {
  const { warmup = 1, minReps = 3, maxReps = 20, budgetMs = 3000, clock = () => performance.now() } = options;
  for (let i = 0; i < warmup; i++) await fn();
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
