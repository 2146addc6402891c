import { describe, expect, it } from 'vitest';
import { medianMs } from '../src/measure.js';

describe('medianMs', () => {
  it('warms up for at least `warmup` calls and `warmupMs`, untimed', async () => {
    let calls = 0;
    let now = 0;
    // A clock that only the calls move: each call takes 10 ms, the first three 50.
    const fn = () => {
      calls++;
      now += calls <= 3 ? 50 : 10;
    };
    const clock = () => now;
    const realNow = performance.now.bind(performance);
    const start = realNow();
    const ms = await medianMs(fn, { warmup: 2, warmupMs: 30, minReps: 5, maxReps: 5, budgetMs: 0, clock });
    // The warm-up took at least 30 ms of wall time and two calls; the timed five read the fake clock.
    expect(realNow() - start).toBeGreaterThanOrEqual(30);
    expect(calls).toBeGreaterThan(5 + 3);
    expect(ms).toBe(10);
  });

  it('takes the upper median of the timed calls', async () => {
    const times = [5, 1, 4, 2, 3];
    let now = 0;
    let i = 0;
    const ms = await medianMs(
      () => {
        now += times[i++ % times.length] as number;
      },
      { warmup: 0, minReps: 5, maxReps: 5, budgetMs: 0, clock: () => now },
    );
    expect(ms).toBe(3);
  });
});
