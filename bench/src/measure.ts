/** Median wall time of `fn` in milliseconds, after `warmup` calls; at least `minReps` timed calls, more while under `budgetMs`. */
export async function medianMs(
  fn: () => unknown | Promise<unknown>,
  options: { warmup?: number; minReps?: number; maxReps?: number; budgetMs?: number } = {},
): Promise<number> {
  const { warmup = 1, minReps = 3, maxReps = 20, budgetMs = 3000 } = options;
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  const start = performance.now();
  while (times.length < minReps || (times.length < maxReps && performance.now() - start < budgetMs)) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] as number;
}
