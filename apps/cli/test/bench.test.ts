import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planBench } from '../src/commands/bench.js';
import { recur } from './helpers/cli.js';
import { tempDir } from './helpers/fixtures.js';

/** A pnpm workspace that is not Recur, with a `bench` script that must never run. */
async function otherWorkspace(): Promise<string> {
  const dir = await tempDir();
  await writeFile(join(dir, 'pnpm-workspace.yaml'), "packages: ['bench']\n");
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'not-recur', scripts: { bench: 'exit 7' } }));
  await mkdir(join(dir, 'bench'));
  await writeFile(join(dir, 'bench', 'package.json'), JSON.stringify({ name: 'b', scripts: { bench: 'exit 7' } }));
  return dir;
}

describe('recur bench', () => {
  it("should run the repository's pnpm bench from the workspace root", async () => {
    // From a folder outside the repository the CLI finds the workspace it belongs to.
    const result = await recur(['bench', '--dry-run', '--', '--quick'], await tempDir());
    expect(result.code).toBe(0);
    expect(result.err).toMatch(/^running: pnpm bench --quick \(in \/.+\)$/m);
  });

  it("should pass over another project's workspace and run Recur's own benchmarks", async () => {
    const other = await otherWorkspace();
    const plan = await planBench(join(other, 'bench'), []);
    expect(plan.cwd.startsWith(other)).toBe(false);
    const result = await recur(['bench', '--dry-run'], other);
    expect(result.code).toBe(0);
    expect(result.err).not.toContain(other);
  });

  it('should refuse with one clear line when no Recur checkout encloses the folder or the CLI', async () => {
    const other = await otherWorkspace();
    await expect(planBench(other, [], join(other, 'bench'))).rejects.toThrow(
      /no Recur benchmarks found \(not Recur's workspace: .* \(not-recur\).*\): 'recur bench' runs the Recur repository's 'pnpm bench'/,
    );
  });

  it("should pass the benchmark's own options on without a '--'", async () => {
    const result = await recur(['bench', '--dry-run', '--quick', '--workload', 'W3'], await tempDir());
    expect(result.code).toBe(0);
    expect(result.err).toMatch(/^running: pnpm bench --quick --workload W3 \(in \/.+\)$/m);
  });
});
