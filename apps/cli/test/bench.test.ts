import { describe, expect, it } from 'vitest';
import { recur } from './helpers/cli.js';
import { tempDir } from './helpers/fixtures.js';

describe('recur bench', () => {
  it("should run the repository's pnpm bench from the workspace root", async () => {
    // From a folder outside the repository the CLI finds the workspace it belongs to.
    const result = await recur(['bench', '--dry-run', '--', '--quick'], await tempDir());
    expect(result.code).toBe(0);
    expect(result.err).toMatch(/^running: pnpm bench --quick \(in \/.+\)$/m);
  });

  it("should pass the benchmark's own options on without a '--'", async () => {
    const result = await recur(['bench', '--dry-run', '--quick', '--workload', 'W3'], await tempDir());
    expect(result.code).toBe(0);
    expect(result.err).toMatch(/^running: pnpm bench --quick --workload W3 \(in \/.+\)$/m);
  });
});
