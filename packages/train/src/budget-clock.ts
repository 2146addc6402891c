/**
 * The clock a time budget runs on. `'wall'` is elapsed time. `'cpu'` is the processor
 * time this process has used (every thread, user and system): on a machine shared with
 * other work, runs given the same CPU budget get the same compute however busy the
 * machine is, which a wall-clock budget does not give them.
 */
import { badArgument, RecurError } from '@recur/core';

/** Which clock a time budget counts: elapsed time, or this process's CPU time. */
export type BudgetClock = 'wall' | 'cpu';
/** The clocks a time budget can count, for checks and choice lists. */
export const BUDGET_CLOCKS: readonly BudgetClock[] = ['wall', 'cpu'];

interface ProcessLike {
  cpuUsage(): { user: number; system: number };
}

function processCpu(): ProcessLike | undefined {
  const candidate = (globalThis as { process?: Partial<ProcessLike> }).process;
  return typeof candidate?.cpuUsage === 'function' ? (candidate as ProcessLike) : undefined;
}

/** Seconds on `clock` since this call: a function to read them. */
export function startBudgetClock(clock: BudgetClock = 'wall'): () => number {
  if (clock === 'wall') {
    const started = performance.now();
    return () => (performance.now() - started) / 1000;
  }
  if (clock !== 'cpu') throw badArgument('BAD_CONFIG', 'timeBudgetClock', "'wall' or 'cpu'", clock);
  const proc = processCpu();
  if (proc === undefined) {
    throw new RecurError(
      'BAD_CONFIG',
      "timeBudgetClock: 'cpu' needs process.cpuUsage() (Node, Deno, Bun); this engine has none: use 'wall'",
    );
  }
  const used = () => {
    const { user, system } = proc.cpuUsage();
    return (user + system) / 1e6;
  };
  const started = used();
  return () => used() - started;
}
