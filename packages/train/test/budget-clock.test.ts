import { describe, expect, it } from 'vitest';
import { startBudgetClock } from '../src/index.js';

describe('startBudgetClock', () => {
  it("'cpu' counts this process's work, not time spent waiting; 'wall' counts both", async () => {
    const cpu = startBudgetClock('cpu');
    const wall = startBudgetClock('wall');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const idleCpu = cpu();
    expect(wall()).toBeGreaterThanOrEqual(0.29);
    expect(idleCpu).toBeLessThan(0.2);
    const busyUntil = performance.now() + 200;
    let x = 0;
    while (performance.now() < busyUntil) x += Math.sqrt(x + 1);
    expect(x).toBeGreaterThan(0);
    // A busy loop of 200 ms of wall time gets some CPU even on a loaded machine.
    expect(cpu()).toBeGreaterThan(idleCpu);
  });

  it("defaults to 'wall' and refuses an unknown clock with a RecurError", () => {
    expect(startBudgetClock()()).toBeGreaterThanOrEqual(0);
    expect(() => startBudgetClock('gpu' as never)).toThrow(/timeBudgetClock: expected 'wall' or 'cpu', received 'gpu'/);
  });
});
