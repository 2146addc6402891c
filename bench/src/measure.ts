/** How `medianMs` times a call; bench/pytorch/workloads.py follows the same rule. */
export interface MeasureOptions {
  /** Untimed calls first. */
  readonly warmup: number;
  /** Timed calls at least. */
  readonly minReps: number;
  /** Timed calls at most. */
  readonly maxReps: number;
  /** More timed calls (up to `maxReps`) while the timed ones have taken less than this. */
  readonly budgetMs: number;
}

const DEFAULTS: MeasureOptions = { warmup: 1, minReps: 3, maxReps: 20, budgetMs: 3000 };

/** Median wall time of `fn` in milliseconds, after `warmup` calls; at least `minReps` timed calls, more while under `budgetMs`. */
export async function medianMs(
  fn: () => unknown | Promise<unknown>,
  options: Partial<MeasureOptions> = {},
): Promise<number> {
  const { warmup, minReps, maxReps, budgetMs } = { ...DEFAULTS, ...options };
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
