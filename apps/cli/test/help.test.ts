import { describe, expect, it } from 'vitest';
import { TASKS } from '../src/tasks/tasks.js';
import { recur } from './helpers/cli.js';
import { tempDir } from './helpers/fixtures.js';

describe('recur train --help', () => {
  it("should list every task's own defaults, whichever task is named", async () => {
    const result = await recur(['train', 'classify', '--help'], await tempDir());
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^ {2}task +--cell +--layers +--units/m);
    for (const [name, task] of Object.entries(TASKS)) {
      const d = task.defaults;
      const row = [
        name,
        d.cell,
        d.layers,
        d.units,
        d.embeddingDim,
        d.seqLength,
        d.horizon,
        d.batch,
        d.learningRate,
        d.minutes,
      ];
      expect(result.out).toMatch(new RegExp(`^ {2}${row.map((v) => String(v).replace('.', '\\.')).join(' +')}$`, 'm'));
    }
  });
});
